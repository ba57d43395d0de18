import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";

/**
 * Real Prometheus and Alertmanager for integration tests: each runs from its binary on a free
 * loopback port with a generated configuration and its own temporary storage, is waited for on its
 * readiness endpoint, and is stopped and cleaned up at the end. Nothing here touches a system-wide
 * instance (a packaged service on the default ports keeps running undisturbed).
 */

/** The binaries the monitoring tests need, and the names they go by (Debian calls Alertmanager `prometheus-alertmanager`). */
const BINARIES = {
  prometheus: ["prometheus"],
  promtool: ["promtool"],
  alertmanager: ["alertmanager", "prometheus-alertmanager"],
  amtool: ["amtool"],
} as const;

/** A monitoring binary. */
export type MonitoringBinary = keyof typeof BINARIES;

/** The path of a binary on PATH, or null. */
export function findBinary(binary: MonitoringBinary): string | null {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    for (const name of BINARIES[binary]) {
      const candidate = path.join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** Why tests needing `binaries` cannot run (naming each missing one), or null when all are installed. */
export function missingBinaries(...binaries: MonitoringBinary[]): string | null {
  const missing = binaries.filter((b) => findBinary(b) === null).map((b) => BINARIES[b].join(" or "));
  if (missing.length === 0) return null;
  return `not on PATH: ${missing.join(", ")}; install them with \`apt-get install prometheus prometheus-alertmanager\` (CI does, in .ci/run)`;
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port was assigned");
  return address.port;
}

/** A running server process with its temporary directory. */
export interface MonitoringProcess {
  /** Base URL, e.g. http://127.0.0.1:41234. */
  url: string;
  /** The end of what it wrote to stderr so far (its log). */
  log(): string;
  /** Stops it (SIGTERM, then SIGKILL) and removes its directory. */
  stop(): Promise<void>;
}

/** A running Prometheus. */
export interface RunningPrometheus extends MonitoringProcess {
  /** The queries its HTTP API answered (the query log), oldest first; rule evaluations are left out. */
  apiQueries(): Promise<string[]>;
}

/** How to start a Prometheus. */
export interface PrometheusOptions {
  /** The raw metrics to scrape, e.g. the sandbox's `http://127.0.0.1:4321/metrics`. */
  scrapeUrl: string;
  /** Rule files to load (copied into the temporary directory). */
  ruleFiles?: string[];
  /**
   * Replaces the `for` of every alerting rule: shipped rules hold alerts for minutes, which a test
   * cannot wait for. Expressions, labels and annotations stay as they are.
   */
  alertFor?: string;
  /** Alertmanager to send alerts to, e.g. `http://127.0.0.1:9093`. */
  alertmanagerUrl?: string;
  /** Port to listen on (default: a free one). */
  port?: number;
}

/** How often the test Prometheus scrapes and evaluates its rules. */
const INTERVAL = "1s";

/** Starts Prometheus scraping `scrapeUrl` every second and evaluating the rule files as often, and waits until it is ready. */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const binary = requireBinary("prometheus");
  const dir = await mkdtemp(path.join(tmpdir(), "autopilot-prometheus-"));
  try {
    const rules: string[] = [];
    for (const [i, file] of (options.ruleFiles ?? []).entries()) {
      const target = path.join(dir, `${i}-${path.basename(file)}`);
      if (options.alertFor === undefined) await copyFile(file, target);
      else await writeFile(target, withAlertFor(await readFile(file, "utf8"), options.alertFor));
      rules.push(target);
    }
    const scrape = new URL(options.scrapeUrl);
    const queryLog = path.join(dir, "queries.jsonl");
    const config = {
      global: { scrape_interval: INTERVAL, scrape_timeout: INTERVAL, evaluation_interval: INTERVAL, query_log_file: queryLog },
      rule_files: rules,
      ...(options.alertmanagerUrl ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(options.alertmanagerUrl).host] }] }] } } : {}),
      scrape_configs: [
        { job_name: "platform", scheme: scrape.protocol.replace(":", ""), metrics_path: scrape.pathname, static_configs: [{ targets: [scrape.host] }] },
      ],
    };
    await writeFile(path.join(dir, "prometheus.yml"), stringifyYaml(config));
    const port = options.port ?? (await freePort());
    const args = [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Firing alerts are sent again every interval (not every minute): an Alertmanager that starts
      // after the alert fired still gets it at once.
      `--rules.alert.resend-delay=${INTERVAL}`,
      "--log.level=warn",
    ];
    const running = await startProcess("prometheus", binary, args, dir, `http://127.0.0.1:${port}`);
    return {
      ...running,
      async apiQueries() {
        const text = await readFile(queryLog, "utf8").catch(() => "");
        return text
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { params?: { query?: string }; httpRequest?: unknown })
          .filter((entry) => entry.httpRequest !== undefined && typeof entry.params?.query === "string")
          .map((entry) => entry.params!.query!);
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** How to start an Alertmanager. */
export interface AlertmanagerOptions {
  /** Where the receiver `autopilot` posts, e.g. `http://127.0.0.1:8080/api/v1/alerts/alertmanager`. */
  webhookUrl: string;
  /** Sent as `Authorization: Bearer <token>`, read from a credentials file as in deploy/alertmanager. */
  bearerToken?: string;
  /** Port to listen on (default: a free one). */
  port?: number;
}

/**
 * Starts an Alertmanager that routes every alert to one webhook receiver named `autopilot`,
 * grouped by alertname and service, with group_wait and group_interval of 1s (a test cannot wait
 * for the usual 30s) and repeat_interval 1h; clustering is off.
 */
export async function startAlertmanager(options: AlertmanagerOptions): Promise<MonitoringProcess> {
  const binary = requireBinary("alertmanager");
  const dir = await mkdtemp(path.join(tmpdir(), "autopilot-alertmanager-"));
  try {
    let authorization = {};
    if (options.bearerToken !== undefined) {
      const credentials = path.join(dir, "autopilot-token");
      await writeFile(credentials, options.bearerToken, { mode: 0o600 });
      authorization = { http_config: { authorization: { type: "Bearer", credentials_file: credentials } } };
    }
    const config = {
      route: { receiver: "autopilot", group_by: ["alertname", "service"], group_wait: "1s", group_interval: "1s", repeat_interval: "1h" },
      receivers: [{ name: "autopilot", webhook_configs: [{ url: options.webhookUrl, send_resolved: true, ...authorization }] }],
    };
    await writeFile(path.join(dir, "alertmanager.yml"), stringifyYaml(config));
    const port = options.port ?? (await freePort());
    const args = [
      `--config.file=${path.join(dir, "alertmanager.yml")}`,
      `--storage.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      "--log.level=warn",
    ];
    return await startProcess("alertmanager", binary, args, dir, `http://127.0.0.1:${port}`);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The rule file `text` with the `for` of every alerting rule set to `holdFor`. */
function withAlertFor(text: string, holdFor: string): string {
  const doc = parseYaml(text) as { groups?: { rules?: Record<string, unknown>[] }[] };
  for (const group of doc.groups ?? []) {
    for (const rule of group.rules ?? []) if (typeof rule.alert === "string") rule.for = holdFor;
  }
  return stringifyYaml(doc);
}

function requireBinary(binary: MonitoringBinary): string {
  const found = findBinary(binary);
  if (!found) throw new Error(missingBinaries(binary)!);
  return found;
}

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const LOG_LIMIT = 64 * 1024;

/** Spawns a server, waits until `<url>/-/ready` answers 200, and returns how to stop it. */
async function startProcess(name: string, binary: string, args: string[], dir: string, url: string): Promise<MonitoringProcess> {
  const child = spawn(binary, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    log = (log + chunk).slice(-LOG_LIMIT);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // A test runner that dies without stopping us must not leave servers behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const stop = async () => {
    process.removeListener("exit", killOnExit);
    await terminate(child, exited);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(name, url, exited, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, log: () => log, stop };
}

async function waitReady(name: string, url: string, exited: Promise<number | null>, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let code: number | null | undefined;
  void exited.then((c) => (code = c));
  while (Date.now() < deadline) {
    if (code !== undefined) throw new Error(`${name} exited with code ${code} before it was ready:\n${log().slice(-4000)}`);
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} was not ready at ${url}/-/ready within ${READY_TIMEOUT_MS / 1000} s:\n${log().slice(-4000)}`);
}

async function terminate(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), STOP_TIMEOUT_MS).unref());
  if ((await Promise.race([exited, timer])) === "timeout") {
    child.kill("SIGKILL");
    await exited;
  }
}
