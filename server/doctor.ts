import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { z } from "zod";
import { errorMessage, INTERNAL_SIGNALS, redactSecrets, type Signal } from "../core/index.js";
import { createHttpClient, isUpstreamError, type HttpClient } from "../tools/http.js";
import { displayUrl, GitRemote, type GitRemoteOptions } from "../tools/gitops/index.js";
import { readDefaultRemote } from "../tools/dvc/index.js";
import type { Config } from "./config.js";

/** What one check found. */
export interface DoctorRow {
  system: string;
  /** `real`: a configured system; `sandbox`: the built-in simulator stands in; `embedded`: a built-in default; `off`: not used. */
  mode: "real" | "sandbox" | "embedded" | "off";
  /** Where it is (a URL without credentials, a path). */
  target: string;
  /** `fail` makes `autopilot doctor` exit 1; `warn` does not. */
  status: "ok" | "warn" | "fail" | "skip";
  version: string;
  detail: string;
}

/** The oldest version of each system the clients are built and tested against. */
export const MIN_VERSIONS = {
  postgresql: "13",
  prometheus: "2.37",
  alertmanager: "0.25",
  mlflow: "2.9",
  h2o: "3.40",
  argocd: "2.8",
} as const;

/** Everything `autopilot doctor` looks at, taken from the configuration. */
export interface DoctorTargets {
  home: string;
  databaseUrl: string | undefined;
  prometheusUrl: string | undefined;
  alertmanagerUrl: string | undefined;
  mlflow: { url: string; token: string | undefined } | undefined;
  h2oUrl: string | undefined;
  argocd: { url: string; token: string | undefined } | undefined;
  gitops: { dir: string; remote: GitRemoteOptions | undefined; branch: string };
  dvc: { workspace: string; remote: string | undefined };
  llm: { baseUrl: string; apiKey: string | undefined; model: string } | undefined;
  langsmith: { endpoint: string; apiKey: string } | undefined;
  /** The series the agents query (the contract's metrics, baselines and guardrails). */
  metrics: string[];
  timeoutMs: number;
  secrets: string[];
}

/** The doctor's view of a configuration. */
export function doctorTargets(config: Config): DoctorTargets {
  const signals = Object.entries(config.contract.signals).filter(([name]) => !INTERNAL_SIGNALS.includes(name as Signal)).map(([, s]) => s);
  const metrics = [...signals.flatMap((s) => [s.metric, s.baselineMetric]), ...config.contract.guardrails.map((g) => g.metric)];
  return {
    home: config.home,
    databaseUrl: config.databaseUrl,
    prometheusUrl: config.systems.prometheusUrl,
    alertmanagerUrl: config.systems.alertmanagerUrl,
    mlflow: config.systems.mlflow,
    h2oUrl: config.systems.h2oUrl,
    argocd: config.systems.argocd,
    gitops: { dir: config.gitops.dir, remote: config.gitops.remote, branch: config.gitops.branch },
    dvc: { workspace: config.dvcWorkspace, remote: config.dvcRemote },
    llm: config.openai ? { baseUrl: config.openai.baseUrl ?? "https://api.openai.com/v1", apiKey: config.openai.apiKey, model: config.openai.model } : undefined,
    langsmith: config.tracing.enabled && config.tracing.apiKey ? { endpoint: config.tracing.endpoint ?? "https://api.smith.langchain.com", apiKey: config.tracing.apiKey } : undefined,
    metrics: [...new Set(metrics.filter((m): m is string => Boolean(m)))],
    timeoutMs: Math.min(config.httpTimeoutMs, 10_000),
    secrets: config.secrets,
  };
}

/**
 * Checks every system the configuration names: reachable, authenticated, a supported version, and
 * (for Prometheus) serving the series the agents query. Systems left unconfigured are reported as
 * the sandbox or the embedded default. Checks run side by side; each is bounded by the timeout.
 */
export async function runDoctor(t: DoctorTargets): Promise<DoctorRow[]> {
  const checks: Array<Promise<DoctorRow>> = [
    checkDatabase(t),
    t.prometheusUrl ? checkPrometheus(t, t.prometheusUrl) : sandboxRow("prometheus", "PROMETHEUS_URL"),
    t.alertmanagerUrl ? checkAlertmanager(t, t.alertmanagerUrl) : offRow("alertmanager", "ALERTMANAGER_URL not set: alerts still arrive on POST /api/v1/alerts/alertmanager; silences are not managed"),
    t.mlflow ? checkMlflow(t, t.mlflow) : sandboxRow("mlflow", "MLFLOW_TRACKING_URI"),
    t.h2oUrl ? checkH2o(t, t.h2oUrl) : sandboxRow("h2o", "H2O_URL"),
    t.argocd ? checkArgoCd(t, t.argocd) : sandboxRow("argocd", "ARGOCD_SERVER"),
    checkGitOps(t),
    checkDvc(t),
    t.llm ? checkLlm(t, t.llm) : Promise.resolve(row("llm", "embedded", "runbook model", "ok", "-", "no OPENAI_API_KEY/OPENAI_BASE_URL: the deterministic runbook model decides")),
    t.langsmith ? checkLangSmith(t, t.langsmith) : offRow("langsmith", "LANGSMITH_TRACING is off or LANGSMITH_API_KEY is not set"),
  ];
  const rows = await Promise.all(checks.map((c) => c.catch((error: unknown) => row("doctor", "real", "-", "fail", "-", errorMessage(error)))));
  return rows.map((r) => ({ ...r, detail: redactSecrets(r.detail, t.secrets), target: redactSecrets(r.target, t.secrets) }));
}

/** The rows as an aligned text table. */
export function formatDoctorTable(rows: readonly DoctorRow[]): string {
  const header: DoctorRow = { system: "SYSTEM", mode: "MODE" as DoctorRow["mode"], target: "TARGET", status: "STATUS" as DoctorRow["status"], version: "VERSION", detail: "DETAIL" };
  const all = [header, ...rows];
  const cols = ["system", "mode", "status", "version", "target"] as const;
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(...all.map((r) => r[c].length))])) as Record<(typeof cols)[number], number>;
  return all.map((r) => [...cols.map((c) => r[c].padEnd(width[c])), r.detail].join("  ").trimEnd()).join("\n");
}

function row(system: string, mode: DoctorRow["mode"], target: string, status: DoctorRow["status"], version: string, detail: string): DoctorRow {
  return { system, mode, target, status, version, detail };
}

function sandboxRow(system: string, variable: string): Promise<DoctorRow> {
  return Promise.resolve(row(system, "sandbox", "built-in", "ok", "-", `${variable} not set: the built-in sandbox speaks this API`));
}

function offRow(system: string, detail: string): Promise<DoctorRow> {
  return Promise.resolve(row(system, "off", "-", "skip", "-", detail));
}

/** Whether `version` (e.g. "v2.42.0", "3.46.0.10") is at least `min` (e.g. "2.37"). */
export function atLeast(version: string, min: string): boolean {
  const parts = (v: string) => (v.match(/\d+(?:\.\d+)*/)?.[0] ?? "0").split(".").map(Number);
  const [a, b] = [parts(version), parts(min)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [x, y] = [a[i] ?? 0, b[i] ?? 0];
    if (x !== y) return x > y;
  }
  return true;
}

/** ok, or warn naming the minimum. */
function versioned(system: keyof typeof MIN_VERSIONS, version: string, detail: string): Pick<DoctorRow, "status" | "detail"> {
  return atLeast(version, MIN_VERSIONS[system])
    ? { status: "ok", detail }
    : { status: "warn", detail: `${detail}; older than ${MIN_VERSIONS[system]}, the oldest version tested` };
}

function http(system: string, baseUrl: string, t: DoctorTargets, headers?: Record<string, string>): HttpClient {
  return createHttpClient({ system, baseUrl, timeoutMs: t.timeoutMs, retries: 0, headers: headers ? () => headers : undefined });
}

/** A failed request as a row: the status and message of the answer, or why there was none. */
function failed(system: string, target: string, error: unknown, authHint?: string): DoctorRow {
  const status = isUpstreamError(error) ? error.status : undefined;
  const unauthorized = status === 401 || status === 403;
  const detail = unauthorized && authHint ? `${authHint} (HTTP ${status})` : errorMessage(error);
  return row(system, "real", target, "fail", "-", detail);
}

async function checkDatabase(t: DoctorTargets): Promise<DoctorRow> {
  if (!t.databaseUrl) {
    const dir = path.join(t.home, "pgdata");
    const exists = existsSync(dir) && readdirSync(dir).length > 0;
    return row("database", "embedded", dir, "ok", "PGlite", exists ? "embedded PostgreSQL (PGlite); data directory present" : "embedded PostgreSQL (PGlite); created on first start");
  }
  const target = safeDbTarget(t.databaseUrl);
  const client = new pg.Client({ connectionString: t.databaseUrl, connectionTimeoutMillis: t.timeoutMs, statement_timeout: t.timeoutMs, query_timeout: t.timeoutMs });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>("show server_version");
    const version = rows[0]?.server_version.split(" ")[0] ?? "?";
    const tables = await client.query<{ n: string }>("select count(*)::text as n from information_schema.tables where table_name = 'schema_migrations'");
    const migrated = tables.rows[0]?.n !== "0";
    return { ...row("database", "real", target, "ok", version, ""), ...versioned("postgresql", version, migrated ? "connected; schema present" : "connected; the schema is created on first start") };
  } catch (error) {
    return row("database", "real", target, "fail", "-", `cannot connect: ${errorMessage(error)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function safeDbTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return "(unparsable DATABASE_URL)";
  }
}

const PromEnvelope = <T extends z.ZodTypeAny>(data: T) => z.object({ status: z.literal("success"), data });

async function checkPrometheus(t: DoctorTargets, url: string): Promise<DoctorRow> {
  const target = displayUrl(url);
  const api = http("prometheus", url, t);
  try {
    const info = await api.json({ method: "GET", path: "/api/v1/status/buildinfo" }, PromEnvelope(z.object({ version: z.string() })));
    const version = info.data.version;
    const missing: string[] = [];
    for (const metric of t.metrics) {
      const res = await api.json(
        { method: "GET", path: "/api/v1/query", query: { query: `count({__name__=${JSON.stringify(metric)}})` } },
        PromEnvelope(z.object({ result: z.array(z.unknown()) })),
      );
      if (res.data.result.length === 0) missing.push(metric);
    }
    if (missing.length > 0) {
      return row("prometheus", "real", target, "warn", version, `no series for ${missing.join(", ")}: load deploy/prometheus/recording.rules.yml and check the scrape targets`);
    }
    return { ...row("prometheus", "real", target, "ok", version, ""), ...versioned("prometheus", version, `all ${t.metrics.length} series the agents query are present`) };
  } catch (error) {
    return failed("prometheus", target, error);
  }
}

async function checkAlertmanager(t: DoctorTargets, url: string): Promise<DoctorRow> {
  const target = displayUrl(url);
  try {
    const base = url.replace(/\/+$/, "").replace(/\/api\/v2$/, "");
    const status = await http("alertmanager", base, t).json(
      { method: "GET", path: "/api/v2/status" },
      z.object({ versionInfo: z.object({ version: z.string() }).partial().optional(), config: z.object({ original: z.string() }).partial().optional() }),
    );
    const version = status.versionInfo?.version ?? "?";
    const routed = (status.config?.original ?? "").includes("/api/v1/alerts");
    const detail = routed ? "a webhook receiver posts to /api/v1/alerts" : "no webhook receiver posts to /api/v1/alerts: see deploy/alertmanager";
    const checked = versioned("alertmanager", version, detail);
    return row("alertmanager", "real", target, routed ? checked.status : "warn", version, checked.detail);
  } catch (error) {
    return failed("alertmanager", target, error);
  }
}

async function checkMlflow(t: DoctorTargets, mlflow: { url: string; token: string | undefined }): Promise<DoctorRow> {
  const target = displayUrl(mlflow.url);
  const api = http("mlflow", mlflow.url, t, mlflow.token ? { authorization: `Bearer ${mlflow.token}` } : undefined);
  try {
    const version = (await api.text({ method: "GET", path: "/version" })).trim();
    await api.json({ method: "GET", path: "/api/2.0/mlflow/experiments/search", query: { max_results: 1 } }, z.object({}).passthrough());
    return { ...row("mlflow", "real", target, "ok", version, ""), ...versioned("mlflow", version, "tracking and registry answer") };
  } catch (error) {
    return failed("mlflow", target, error, mlflow.token ? "MLFLOW_TRACKING_TOKEN was rejected" : "the server needs credentials: set MLFLOW_TRACKING_TOKEN");
  }
}

async function checkH2o(t: DoctorTargets, url: string): Promise<DoctorRow> {
  const target = displayUrl(url);
  try {
    const cloud = await http("h2o", url, t).json(
      { method: "GET", path: "/3/Cloud", query: { skip_ticks: true } },
      z.object({ version: z.string(), cloud_healthy: z.boolean(), consensus: z.boolean(), cloud_size: z.number() }).passthrough(),
    );
    if (!cloud.cloud_healthy || !cloud.consensus) {
      return row("h2o", "real", target, "fail", cloud.version, `cloud not ready: healthy=${cloud.cloud_healthy}, consensus=${cloud.consensus}`);
    }
    return { ...row("h2o", "real", target, "ok", cloud.version, ""), ...versioned("h2o", cloud.version, `cloud of ${cloud.cloud_size} node(s), healthy`) };
  } catch (error) {
    return failed("h2o", target, error);
  }
}

async function checkArgoCd(t: DoctorTargets, argocd: { url: string; token: string | undefined }): Promise<DoctorRow> {
  const target = displayUrl(argocd.url);
  const api = http("argocd", argocd.url, t, argocd.token ? { authorization: `Bearer ${argocd.token}` } : undefined);
  try {
    const { Version } = await api.json({ method: "GET", path: "/api/version" }, z.object({ Version: z.string() }).passthrough());
    const user = await api.json({ method: "GET", path: "/api/v1/session/userinfo" }, z.object({ loggedIn: z.boolean().optional(), username: z.string().optional() }).passthrough());
    if (!user.loggedIn) return row("argocd", "real", target, "fail", Version, "ARGOCD_AUTH_TOKEN was not accepted (session/userinfo: loggedIn false)");
    return { ...row("argocd", "real", target, "ok", Version, ""), ...versioned("argocd", Version, `authenticated as ${user.username ?? "(token)"}`) };
  } catch (error) {
    return failed("argocd", target, error, "ARGOCD_AUTH_TOKEN was rejected");
  }
}

async function checkGitOps(t: DoctorTargets): Promise<DoctorRow> {
  const { dir, remote, branch } = t.gitops;
  if (remote) {
    const git = new GitRemote(dir, branch, { ...remote, timeoutMs: t.timeoutMs });
    try {
      const version = await git.version();
      const head = await git.probe();
      return row("gitops", "real", git.display, "ok", `git ${version}`, head ? `branch ${branch} at ${head.slice(0, 7)}; clone in ${dir}` : `reachable; branch ${branch} does not exist yet and is created by the first write`);
    } catch (error) {
      return row("gitops", "real", git.display, "fail", "-", errorMessage(error));
    }
  }
  const exists = existsSync(path.join(dir, ".git"));
  return row("gitops", "embedded", dir, "ok", "-", exists ? "local repository (no remote: Argo CD must read this path)" : "local repository, created on first start");
}

async function checkDvc(t: DoctorTargets): Promise<DoctorRow> {
  const { workspace, remote } = t.dvc;
  const dvcVersion = await new Promise<string | null>((resolve) =>
    execFile("dvc", ["--version"], { timeout: t.timeoutMs }, (error, stdout) => resolve(error ? null : stdout.trim())),
  );
  const version = dvcVersion ? `dvc ${dvcVersion}` : "native";
  const exists = existsSync(path.join(workspace, ".dvc"));
  let configured: string | null = remote ?? null;
  if (!configured && exists) {
    try {
      configured = (await readDefaultRemote(path.join(workspace, ".dvc")))?.url ?? null;
    } catch (error) {
      return row("dvc", "embedded", workspace, "fail", version, errorMessage(error));
    }
  }
  const where = exists ? "workspace present" : "workspace created on first start";
  if (!configured) return row("dvc", "embedded", workspace, "ok", version, `${where}; no remote: versions stay in the local cache`);
  const cloud = /^[a-z][a-z0-9+.-]*:\/\//i.test(configured) && !configured.startsWith("file://");
  if (cloud && !dvcVersion) return row("dvc", "embedded", workspace, "warn", version, `${where}; remote ${displayUrl(configured)} needs the dvc executable on PATH to push`);
  return row("dvc", "embedded", workspace, "ok", version, `${where}; pushes to ${displayUrl(configured)}${dvcVersion ? " with dvc push" : " natively"}`);
}

async function checkLlm(t: DoctorTargets, llm: { baseUrl: string; apiKey: string | undefined; model: string }): Promise<DoctorRow> {
  const target = displayUrl(llm.baseUrl);
  try {
    const models = await http("llm", llm.baseUrl, t, llm.apiKey ? { authorization: `Bearer ${llm.apiKey}` } : undefined).json(
      { method: "GET", path: "/models" },
      z.object({ data: z.array(z.object({ id: z.string() }).passthrough()) }).passthrough(),
    );
    const listed = models.data.some((m) => m.id === llm.model);
    return row("llm", "real", target, listed ? "ok" : "warn", llm.model, listed ? `model ${llm.model} is served` : `model ${llm.model} is not among the ${models.data.length} models listed`);
  } catch (error) {
    return failed("llm", target, error, "OPENAI_API_KEY was rejected");
  }
}

async function checkLangSmith(t: DoctorTargets, ls: { endpoint: string; apiKey: string }): Promise<DoctorRow> {
  const target = displayUrl(ls.endpoint);
  try {
    const info = await http("langsmith", ls.endpoint, t, { "x-api-key": ls.apiKey }).json({ method: "GET", path: "/info" }, z.object({ version: z.string().optional() }).passthrough());
    return row("langsmith", "real", target, "ok", info.version ?? "-", "ingestion endpoint answers");
  } catch (error) {
    return failed("langsmith", target, error, "LANGSMITH_API_KEY was rejected");
  }
}
