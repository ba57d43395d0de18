import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { AutopilotError, ENVIRONMENTS, errorMessage, INTERNAL_SIGNALS, isSignal, parseTriggerContract, type Signal, type TriggerContract } from "../core/index.js";
import { findTool } from "../tools/index.js";
import { isRemoteUrl } from "../tools/gitops/index.js";

/**
 * The only place that reads the environment. Every variable is validated here; a bad value stops
 * start-up with a message naming the variable and the reason, never its value when it is a secret.
 */

const optionalUrl = z
  .string()
  .trim()
  .url()
  .regex(/^https?:\/\//i, "must be an http:// or https:// URL")
  .optional()
  .or(z.literal("").transform(() => undefined));
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const nonNegative = (fallback: number) => z.coerce.number().min(0).default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no", ""])
    .optional()
    .transform((v) => (v === undefined || v === "" ? fallback : v === "true" || v === "1" || v === "yes"));

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default("127.0.0.1"),
  AUTOPILOT_URL: optionalText,
  AUTOPILOT_TOKEN: optionalText,
  AUTOPILOT_HOME: z.string().default(".autopilot"),
  AUTOPILOT_ENVIRONMENT: z.enum(ENVIRONMENTS).default("production"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DATABASE_URL: optionalText,
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_MODEL: z.string().default("gpt-4o-mini"),
  OPENAI_TIMEOUT_MS: positiveInt(60_000),
  OPENAI_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(1),
  OPENAI_PRICE_INPUT_PER_MTOK: nonNegative(0),
  OPENAI_PRICE_OUTPUT_PER_MTOK: nonNegative(0),
  PROMETHEUS_URL: optionalUrl,
  MLFLOW_TRACKING_URI: optionalUrl,
  MLFLOW_TRACKING_TOKEN: optionalText,
  H2O_URL: optionalUrl,
  ARGOCD_SERVER: optionalUrl,
  ARGOCD_AUTH_TOKEN: optionalText,
  ALERTMANAGER_URL: optionalUrl,
  GRAFANA_URL: optionalUrl,
  GRAFANA_TOKEN: optionalText,
  GITOPS_REPO: optionalText,
  GITOPS_BRANCH: z.string().trim().regex(/^[\w./-]+$/, "a branch name").default("main"),
  GITOPS_TOKEN: optionalText,
  GITOPS_USERNAME: optionalText,
  GITOPS_CLONE_DIR: optionalText,
  DVC_WORKSPACE: optionalText,
  DVC_REMOTE: optionalText,
  AUTOPILOT_POLICY_DIR: optionalText,
  TRIGGER_CONTRACT_FILE: optionalText,
  SANDBOX_SCENARIO: z.string().default("ndcg-drop"),
  SANDBOX_SPEED: nonNegative(60),
  SANDBOX_AUTO_ALERTS: bool(true),
  ALERT_GROUP_WINDOW_SECONDS: positiveInt(600),
  ALERTMANAGER_WEBHOOK_TOKEN: optionalText,
  HTTP_BODY_LIMIT_KIB: z.coerce.number().int().min(1).max(10_240).default(64),
  RATE_LIMIT_WRITES_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
  RATE_LIMIT_WEBHOOK_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(600),
  SESSION_SECRET: optionalText.refine((v) => v === undefined || v.length >= 32, "must be at least 32 characters (e.g. `openssl rand -base64 48`)"),
  SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  SESSION_COOKIE_SECURE: z.enum(["auto", "true", "false"]).default("auto"),
  MCP_ALLOWED_HOSTS: optionalText,
  MCP_ALLOWED_ORIGINS: optionalText,
  CYCLE_BUDGET_USD: nonNegative(5),
  APPROVAL_TTL_MINUTES: positiveInt(60),
  HTTP_TIMEOUT_MS: positiveInt(10_000),
  LANGSMITH_API_KEY: optionalText,
  LANGSMITH_TRACING: bool(false),
  LANGSMITH_ENDPOINT: optionalUrl,
  LANGSMITH_PROJECT: optionalText,
  ANOMALY_MONITOR_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
  // At most 7 days, with the detector's warm-up fetched before it.
  ANOMALY_WINDOW_MINUTES: z.coerce.number().int().min(60).max(10_000).default(360),
  ANOMALY_SERIES: optionalText,
  ANOMALY_GRAFANA_DASHBOARDS: optionalText,
});

/** Variables whose values are secrets: never logged, traced or echoed. */
export const SECRET_VARIABLES = ["AUTOPILOT_TOKEN", "SESSION_SECRET", "DATABASE_URL", "OPENAI_API_KEY", "MLFLOW_TRACKING_TOKEN", "ARGOCD_AUTH_TOKEN", "GITOPS_TOKEN", "ALERTMANAGER_WEBHOOK_TOKEN", "GRAFANA_TOKEN", "LANGSMITH_API_KEY"] as const;

/** The validated configuration. */
export interface Config {
  port: number;
  host: string;
  /** Where the embedded defaults keep their state (database, workspace, GitOps repository). */
  home: string;
  environment: (typeof ENVIRONMENTS)[number];
  logLevel: z.infer<typeof EnvSchema>["LOG_LEVEL"];
  databaseUrl: string | undefined;
  openai: { model: string; apiKey: string | undefined; baseUrl: string | undefined; timeoutMs: number; maxRetries: number; pricing: { inputPerMTok: number; outputPerMTok: number } } | undefined;
  systems: {
    prometheusUrl: string | undefined;
    mlflow: { url: string; token: string | undefined } | undefined;
    h2oUrl: string | undefined;
    argocd: { url: string; token: string | undefined } | undefined;
    /** Alertmanager's API (silences, the alerts it holds); alerts reach the webhook either way. */
    alertmanagerUrl: string | undefined;
    /** Grafana, where anomalies are annotated on the series' dashboards; optional. */
    grafana: { url: string; token: string | undefined } | undefined;
  };
  /**
   * The GitOps repository: a local path (dir, no remote), or a remote URL cloned into `dir` that
   * every write is pushed to before it returns (what Argo CD reads).
   */
  gitops: { dir: string; branch: string; remote: { url: string; token: string | undefined; username: string | undefined } | undefined };
  dvcWorkspace: string;
  /** DVC remote URL made the workspace's default remote (in .dvc/config.local); undefined keeps the workspace's own config. */
  dvcRemote: string | undefined;
  /** Where the Cedar policy files are read from; undefined means the built-in defaults. */
  policyDir: string | undefined;
  /** The trigger contract: the defaults, with TRIGGER_CONTRACT_FILE merged over them when set. */
  contract: TriggerContract;
  sandbox: { scenario: string; speed: number; autoAlerts: boolean };
  alerts: { groupWindowMs: number; webhookToken: string | undefined };
  /** Limits and sessions of the HTTP API; the rate limits are counted by each replica on its own. */
  http: HttpConfig;
  cycleBudgetUsd: number;
  approvalTtlMs: number;
  httpTimeoutMs: number;
  tracing: { enabled: boolean; apiKey: string | undefined; endpoint: string | undefined; project: string | undefined };
  /** The anomaly monitor `serve` runs beside the agents. */
  anomalyMonitor: AnomalyMonitorConfig;
  /** Where the shell commands (chat, cycles, approve, report) reach a running server, and with which API token. */
  client: { url: string; token: string | undefined };
  /** Secret values, for redaction of anything that leaves the process. */
  secrets: string[];
}

/** The HTTP API's limits and the console's sessions. */
export interface HttpConfig {
  /** Largest body of a write route (the Alertmanager webhook has its own, larger limit). */
  bodyLimitBytes: number;
  /** Writes per minute per principal (token), or per client address before sign-in. */
  writesPerMinute: number;
  /** Webhook deliveries per minute per client address. */
  webhookPerMinute: number;
  session: {
    /** Signs the session cookie; undefined: a secret generated once and kept in the database, shared by replicas. */
    secret: string | undefined;
    ttlMs: number;
    /** `auto`: Secure when the request came over https (directly or as X-Forwarded-Proto says). */
    secureCookie: "auto" | "always" | "never";
  };
  /** Who may reach `/mcp`: Host header values (DNS rebinding) and browser Origins; requests without Origin pass. */
  mcp: { allowedHosts: string[]; allowedOrigins: string[] };
}

/**
 * The MCP endpoint's allowlists: the given comma-separated lists, or by default the loopback names
 * (and HOST when it is a name of its own) and browser pages served from them on PORT. A server bound
 * to every address behind a domain lists that domain in MCP_ALLOWED_HOSTS.
 */
function mcpAllowlists(host: string, port: number, hosts: string | undefined, origins: string | undefined): HttpConfig["mcp"] {
  const list = (v: string) => v.split(",").map((x) => x.trim().toLowerCase()).filter(Boolean);
  const loopback = ["localhost", "127.0.0.1", "[::1]"];
  const own = host === "0.0.0.0" || host === "::" ? [] : [host.includes(":") && !host.startsWith("[") ? `[${host}]` : host.toLowerCase()];
  const allowedHosts = hosts ? list(hosts) : [...new Set([...loopback, ...own])];
  const allowedOrigins = origins ? list(origins) : allowedHosts.flatMap((n) => [`http://${n}:${port}`, `https://${n}:${port}`]);
  return { allowedHosts, allowedOrigins };
}

/** The anomaly monitor's settings. */
export interface AnomalyMonitorConfig {
  /** Between two passes over the series, in real time; 0 turns the monitor off. */
  intervalMs: number;
  /** The window each pass scores, ending now. */
  windowMinutes: number;
  /** The series to watch; undefined: every contract signal of every service in the catalog. */
  series: Array<{ service: string; signal: Signal }> | undefined;
  /** Grafana dashboard (and panel) by service, or by `<service>:<signal>` for one series (which wins). */
  dashboards: Record<string, { uid: string; panelId?: number }>;
}

/** Configuration errors: the variable and the reason, never a secret value. */
export class ConfigError extends AutopilotError {
  override name = "ConfigError";
}

/** Parses the environment into a Config, or throws a ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
    throw new ConfigError("invalid_configuration", `invalid configuration:\n  ${problems.join("\n  ")}`, { details: { variables: parsed.error.issues.map((i) => String(i.path[0])) } });
  }
  const e = parsed.data;
  if (e.ARGOCD_SERVER && !e.ARGOCD_AUTH_TOKEN) {
    throw new ConfigError("invalid_configuration", "invalid configuration:\n  ARGOCD_AUTH_TOKEN: required when ARGOCD_SERVER is set");
  }
  const home = path.resolve(e.AUTOPILOT_HOME);
  const contract = loadTriggerContract(e.TRIGGER_CONTRACT_FILE);
  const useOpenAi = Boolean(e.OPENAI_API_KEY || e.OPENAI_BASE_URL);
  return {
    port: e.PORT,
    host: e.HOST,
    home,
    environment: e.AUTOPILOT_ENVIRONMENT,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    openai: useOpenAi
      ? {
          model: e.OPENAI_MODEL,
          apiKey: e.OPENAI_API_KEY,
          baseUrl: e.OPENAI_BASE_URL,
          timeoutMs: e.OPENAI_TIMEOUT_MS,
          maxRetries: e.OPENAI_MAX_RETRIES,
          pricing: { inputPerMTok: e.OPENAI_PRICE_INPUT_PER_MTOK, outputPerMTok: e.OPENAI_PRICE_OUTPUT_PER_MTOK },
        }
      : undefined,
    systems: {
      prometheusUrl: e.PROMETHEUS_URL,
      mlflow: e.MLFLOW_TRACKING_URI ? { url: e.MLFLOW_TRACKING_URI, token: e.MLFLOW_TRACKING_TOKEN } : undefined,
      h2oUrl: e.H2O_URL,
      argocd: e.ARGOCD_SERVER ? { url: e.ARGOCD_SERVER, token: e.ARGOCD_AUTH_TOKEN } : undefined,
      alertmanagerUrl: e.ALERTMANAGER_URL,
      grafana: e.GRAFANA_URL ? { url: e.GRAFANA_URL, token: e.GRAFANA_TOKEN } : undefined,
    },
    gitops: gitopsConfig(e, home),
    dvcWorkspace: path.resolve(e.DVC_WORKSPACE ?? path.join(home, "workspace")),
    dvcRemote: e.DVC_REMOTE,
    policyDir: e.AUTOPILOT_POLICY_DIR ? path.resolve(e.AUTOPILOT_POLICY_DIR) : undefined,
    contract,
    sandbox: { scenario: e.SANDBOX_SCENARIO, speed: e.SANDBOX_SPEED, autoAlerts: e.SANDBOX_AUTO_ALERTS },
    alerts: { groupWindowMs: e.ALERT_GROUP_WINDOW_SECONDS * 1000, webhookToken: e.ALERTMANAGER_WEBHOOK_TOKEN },
    http: {
      bodyLimitBytes: e.HTTP_BODY_LIMIT_KIB * 1024,
      writesPerMinute: e.RATE_LIMIT_WRITES_PER_MINUTE,
      webhookPerMinute: e.RATE_LIMIT_WEBHOOK_PER_MINUTE,
      session: {
        secret: e.SESSION_SECRET,
        ttlMs: Math.round(e.SESSION_TTL_HOURS * 3_600_000),
        secureCookie: e.SESSION_COOKIE_SECURE === "auto" ? "auto" : e.SESSION_COOKIE_SECURE === "true" ? "always" : "never",
      },
      mcp: mcpAllowlists(e.HOST, e.PORT, e.MCP_ALLOWED_HOSTS, e.MCP_ALLOWED_ORIGINS),
    },
    cycleBudgetUsd: e.CYCLE_BUDGET_USD,
    approvalTtlMs: e.APPROVAL_TTL_MINUTES * 60_000,
    httpTimeoutMs: e.HTTP_TIMEOUT_MS,
    tracing: { enabled: e.LANGSMITH_TRACING && Boolean(e.LANGSMITH_API_KEY), apiKey: e.LANGSMITH_API_KEY, endpoint: e.LANGSMITH_ENDPOINT, project: e.LANGSMITH_PROJECT },
    anomalyMonitor: anomalyMonitorConfig(e, contract),
    client: { url: (e.AUTOPILOT_URL ?? `http://${e.HOST === "0.0.0.0" || e.HOST === "::" ? "127.0.0.1" : e.HOST}:${e.PORT}`).replace(/\/+$/, ""), token: e.AUTOPILOT_TOKEN },
    secrets: [e.AUTOPILOT_TOKEN, e.SESSION_SECRET, e.OPENAI_API_KEY, e.MLFLOW_TRACKING_TOKEN, e.ARGOCD_AUTH_TOKEN, e.GITOPS_TOKEN, passwordOf(e.GITOPS_REPO), e.ALERTMANAGER_WEBHOOK_TOKEN, e.GRAFANA_TOKEN, e.LANGSMITH_API_KEY, passwordOf(e.DATABASE_URL)].filter(
      (s): s is string => Boolean(s),
    ),
  };
}

/**
 * The trigger contract of TRIGGER_CONTRACT_FILE (YAML or JSON, any subset of the contract) merged
 * over the defaults, or the defaults when the variable is unset. A file that cannot be read or
 * parsed, a contract that does not validate, or a window the Prometheus tools cannot wait for
 * stops start-up with the file and every problem.
 */
function loadTriggerContract(file: string | undefined): TriggerContract {
  if (!file) return parseTriggerContract();
  const where = path.resolve(file);
  const fail = (problems: string[]): never => {
    throw new ConfigError("invalid_configuration", `invalid configuration:\n  TRIGGER_CONTRACT_FILE: ${where}: ${problems.join("; ")}`, {
      details: { variables: ["TRIGGER_CONTRACT_FILE"] },
    });
  };
  let override: unknown;
  try {
    // JSON is YAML, so one parser reads both.
    override = parseYaml(readFileSync(where, "utf8")) ?? {};
  } catch (error) {
    return fail([errorMessage(error)]);
  }
  let contract: TriggerContract;
  try {
    contract = parseTriggerContract(override);
  } catch (error) {
    if (!(error instanceof z.ZodError)) throw error;
    return fail(error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(top level)"}: ${i.message}`));
  }
  const tooLong = windowsTooLong(contract);
  return tooLong.length > 0 ? fail(tooLong) : contract;
}

/** The waiting tools' timeouts are fixed when they are defined: the contract's windows must fit in them. */
function windowsTooLong(contract: TriggerContract): string[] {
  const windows = [
    { field: "abMinutes", minutes: contract.abMinutes, tool: "prometheus_compare_variants" },
    { field: "watchMinutes", minutes: contract.watchMinutes, tool: "prometheus_watch_signal" },
  ];
  return windows.flatMap(({ field, minutes, tool }) => {
    const timeoutMs = findTool(tool)?.timeoutMs ?? Infinity;
    // A minute for the queries after the wait.
    const most = timeoutMs / 60_000 - 1;
    return minutes > most ? [`${field}: ${minutes} minutes is longer than ${tool} can wait (at most ${most})`] : [];
  });
}

/** A service label value (as the Prometheus tools accept it) and a contract signal. */
const SERVICE = /^[A-Za-z0-9_.:-]+$/;
/** A Grafana dashboard uid, optionally `/<panel id>`. */
const DASHBOARD = /^([A-Za-z0-9_-]{1,40})(?:\/(\d{1,9}))?$/;

/**
 * ANOMALY_SERIES (`<service>:<signal>,...`) and ANOMALY_GRAFANA_DASHBOARDS (`<service>=<uid>` or
 * `<service>:<signal>=<uid>/<panel>`, comma-separated), every entry checked against the contract.
 */
function anomalyMonitorConfig(e: z.infer<typeof EnvSchema>, contract: TriggerContract): AnomalyMonitorConfig {
  const problems: string[] = [];
  const entries = (text: string | undefined) => (text ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const seriesOf = (text: string, variable: string): { service: string; signal: Signal } | null => {
    const colon = text.lastIndexOf(":");
    const service = text.slice(0, colon);
    const signal = text.slice(colon + 1);
    const watchable = (Object.keys(contract.signals) as Signal[]).filter((s) => !INTERNAL_SIGNALS.includes(s));
    if (colon > 0 && SERVICE.test(service) && isSignal(signal) && watchable.includes(signal)) return { service, signal };
    problems.push(`${variable}: "${text}" is not <service>:<signal> with a signal of the contract (${watchable.join(", ")})`);
    return null;
  };
  const series = e.ANOMALY_SERIES === undefined ? undefined : entries(e.ANOMALY_SERIES).flatMap((text) => seriesOf(text, "ANOMALY_SERIES") ?? []);
  const dashboards: AnomalyMonitorConfig["dashboards"] = {};
  for (const entry of entries(e.ANOMALY_GRAFANA_DASHBOARDS)) {
    const [key = "", value = ""] = entry.split("=").map((s) => s.trim());
    const dashboard = DASHBOARD.exec(value);
    const bad = (why: string) => problems.push(`ANOMALY_GRAFANA_DASHBOARDS: "${entry}" ${why}`);
    if (!dashboard || entry.split("=").length !== 2) bad("is not <service>=<uid> or <service>:<signal>=<uid>/<panel>");
    else if (key.includes(":") ? !seriesOf(key, "ANOMALY_GRAFANA_DASHBOARDS") : !SERVICE.test(key)) bad("names no service");
    else dashboards[key] = dashboard[2] === undefined ? { uid: dashboard[1]! } : { uid: dashboard[1]!, panelId: Number(dashboard[2]) };
  }
  if (series?.length === 0 && problems.length === 0) problems.push("ANOMALY_SERIES: names no series (leave it unset to watch every signal)");
  if (problems.length > 0) {
    const variables = [...new Set(problems.map((p) => p.slice(0, p.indexOf(":"))))];
    throw new ConfigError("invalid_configuration", `invalid configuration:\n  ${problems.join("\n  ")}`, { details: { variables } });
  }
  return { intervalMs: e.ANOMALY_MONITOR_INTERVAL_SECONDS * 1000, windowMinutes: e.ANOMALY_WINDOW_MINUTES, series, dashboards };
}

/** GITOPS_REPO as a local path, or as a remote with its clone directory, branch and credentials. */
function gitopsConfig(e: z.infer<typeof EnvSchema>, home: string): Config["gitops"] {
  const repo = e.GITOPS_REPO;
  if (repo && isRemoteUrl(repo)) {
    return { dir: path.resolve(e.GITOPS_CLONE_DIR ?? path.join(home, "gitops-clone")), branch: e.GITOPS_BRANCH, remote: { url: repo, token: e.GITOPS_TOKEN, username: e.GITOPS_USERNAME } };
  }
  if (e.GITOPS_TOKEN) throw new ConfigError("invalid_configuration", "invalid configuration:\n  GITOPS_TOKEN: only used with a remote GITOPS_REPO (https://...), but GITOPS_REPO is a local path");
  return { dir: path.resolve(repo ?? path.join(home, "gitops")), branch: e.GITOPS_BRANCH, remote: undefined };
}

/** Whether every platform system is the built-in sandbox (then time is simulated). */
export function isAllSandbox(config: Config): boolean {
  const s = config.systems;
  return !s.prometheusUrl && !s.mlflow && !s.h2oUrl && !s.argocd;
}

function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
