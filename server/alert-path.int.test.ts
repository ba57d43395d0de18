import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { CycleReportSchema, type CycleReport } from "../graphs/index.js";
import { loadScenario } from "../evals/sandbox/index.js";
import type { CycleRow } from "./store/index.js";
import { loadConfig } from "./config.js";
import { openPlatform, type Platform } from "./platform.js";
import { startHarness, type Harness } from "./testing/harness.js";
import { freePort, missingBinaries, startAlertmanager, startPrometheus, type MonitoringProcess, type RunningPrometheus } from "./testing/monitoring.js";

// The alert path end to end, at real-time speed: a real Prometheus scrapes the sandbox's /metrics and
// evaluates the shipped rules; a real Alertmanager groups the firing alert and posts it to the
// autopilot's webhook; the cycle then runs to its end with the metrics-analyst's tools querying that
// Prometheus (PROMETHEUS_URL) and every other system in the sandbox, whose world follows the wall
// clock (mixed mode). The scenario's corpus shift comes 15 s after start, and the contract file
// shortens the A/B test and the watch to 30 s each.

const RULES = ["recording.rules.yml", "alerting.rules.yml"].map((f) => path.resolve(import.meta.dirname, "..", "deploy", "prometheus", f));
const TOKEN = "alert-path-webhook-token";
const SHORT_WINDOWS = "# Real-time test: a 30-second A/B test and watch.\nabMinutes: 0.5\nwatchMinutes: 0.5\n";

/** What Alertmanager's API said about the alert when its notification arrived. */
interface AmAlert {
  fingerprint: string;
  labels: Record<string, string>;
  receivers: { name: string }[];
  status: { state: string };
}

/** The stored row of the alert that started the cycle. */
interface AlertRow {
  fingerprint: string;
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generator_url: string;
  group_key: string;
  receiver: string;
  cycle_id: string;
  disposition: string;
}

const missing = missingBinaries("prometheus", "alertmanager");
const title = "an alert from a real Prometheus through a real Alertmanager, to a promoted cycle";
if (missing) console.warn(`skipped: ${title}: ${missing}`);

describe.skipIf(missing !== null)(missing ? `${title} (skipped: ${missing})` : title, () => {
  let dir: string;
  let platform: Platform;
  let prometheus: RunningPrometheus;
  let alertmanager: MonitoringProcess;
  let h: Harness;
  let promPort: number;
  let received: AlertRow;
  let amAlerts: AmAlert[];
  let cycle: CycleRow;
  let report: CycleReport;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "autopilot-alert-path-"));
    const contractFile = path.join(dir, "contract.yaml");
    await writeFile(contractFile, SHORT_WINDOWS);
    promPort = await freePort();
    const amPort = await freePort();
    const env = { PROMETHEUS_URL: `http://127.0.0.1:${promPort}`, TRIGGER_CONTRACT_FILE: contractFile, ALERTMANAGER_WEBHOOK_TOKEN: TOKEN };
    // The platform first: its sandbox's world starts now, and Prometheus must see its healthy start.
    const scenario = loadScenario("fast-ndcg-drop");
    const config = loadConfig({ AUTOPILOT_HOME: path.join(dir, "platform"), LOG_LEVEL: "silent", ...env } as NodeJS.ProcessEnv);
    platform = await openPlatform({ config, environment: scenario.environment, scenario });
    const metrics = platform.sandbox!.urls(platform.sandboxUrl!).metrics;
    prometheus = await startPrometheus({ scrapeUrl: metrics, ruleFiles: RULES, alertFor: "2s", alertmanagerUrl: `http://127.0.0.1:${amPort}`, port: promPort });
    h = await startHarness({ scenario, platform, env });
    alertmanager = await startAlertmanager({ webhookUrl: `${h.url}/api/v1/alerts/alertmanager`, bearerToken: TOKEN, port: amPort });

    // The corpus shift comes 15 s in; Prometheus fires once the rule has held for 2 s, and
    // Alertmanager waits 1 s before it sends the group.
    received = await waitFor(async () => {
      const r = await h.db.query<AlertRow>(
        "SELECT fingerprint, status, labels, annotations, generator_url, group_key, receiver, cycle_id, disposition FROM alerts WHERE disposition = 'started' ORDER BY id LIMIT 1",
      );
      return r.rows[0] ?? null;
    }, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\nprometheus:\n${prometheus.log().slice(-2000)}\nalertmanager:\n${alertmanager.log().slice(-2000)}`);
    });
    amAlerts = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as AmAlert[];
    cycle = await h.settle(received.cycle_id);
    report = CycleReportSchema.parse(cycle.report);
  }, 240_000);

  afterAll(async () => {
    await alertmanager?.stop();
    await prometheus?.stop();
    await h?.close();
    await platform?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("ends promoted: the fine-tuned model serves all traffic", () => {
    expect(cycle.status).toBe("completed");
    expect(report.outcome, report.outcome_reason ?? "").toBe("promoted");
    const state = platform.sandbox!.state();
    expect(state.serving.champion.version).toBe("2");
    expect(state.serving.canary).toBeNull();
  });

  it("was started by the alert Prometheus raised from the shipped rules, delivered by Alertmanager with the webhook token", () => {
    const labels = { alertname: "SearchNdcgDrop", service: "search", severity: "warning", signal: "ndcg_drop" };
    expect(received.labels).toEqual(labels);
    expect(received.status).toBe("firing");
    expect(received.receiver).toBe("autopilot");
    expect(received.group_key).toBe('{}:{alertname="SearchNdcgDrop", service="search"}');
    // The generator URL points at the shipped rule's expression on the real Prometheus.
    const generator = new URL(received.generator_url);
    expect(generator.port).toBe(String(promPort));
    const shipped = parseYaml(readFileSync(RULES[1]!, "utf8")) as { groups: { rules: { alert?: string; expr: string }[] }[] };
    const expr = shipped.groups.flatMap((g) => g.rules).find((r) => r.alert === "SearchNdcgDrop")!.expr;
    const spaceless = (text: string) => text.replace(/\s+/g, "");
    expect(spaceless(generator.searchParams.get("g0.expr") ?? "")).toBe(spaceless(expr));
    const value = Number(received.annotations.value);
    const baseline = Number(received.annotations.baseline);
    expect(value).toBeLessThanOrEqual(baseline * 0.97);
    expect(report.trigger).toMatchObject({ type: "ndcg_drop", service: "search", alertname: "SearchNdcgDrop", value, baseline });
  });

  it("carries the fingerprint Alertmanager computed for the alert's labels", () => {
    const am = amAlerts.find((a) => a.labels.alertname === "SearchNdcgDrop");
    expect(am, JSON.stringify(amAlerts)).toBeDefined();
    expect(am!.labels).toEqual(received.labels);
    expect(am!.receivers.map((r) => r.name)).toEqual(["autopilot"]);
    expect(received.fingerprint).toBe(am!.fingerprint);
    // Alertmanager's fingerprint is FNV-1a 64 over the sorted label names and values.
    expect(received.fingerprint).toBe(labelsFingerprint(received.labels));
  });

  it("diagnosed, compared and watched through the real Prometheus", async () => {
    const queries = await prometheus.apiQueries();
    for (const query of [
      'search:ndcg_at_10{service="search",variant=~"all|"}',
      'search_topic:ndcg_at_10{service="search",variant=~"all|"}',
      'search_topic:ndcg_at_10:baseline{service="search"}',
      'search:ndcg_at_10{service="search",variant="candidate"}',
      'search:latency_p95_seconds{service="search",variant=~"all|"}',
    ]) {
      expect(queries, query).toContain(query);
    }
    const { monitor, diagnosis, ab_test: ab, watch } = report.findings as Record<string, Record<string, unknown>>;
    expect(monitor).toMatchObject({ signal: "ndcg_drop", triggered: true });
    expect((diagnosis!.weak_segments as string[]).sort()).toEqual(["sports", "travel"]);
    expect(ab).toMatchObject({ winner: "candidate", passed: true });
    const span = (w: { start: string; end: string }) => Date.parse(w.end) - Date.parse(w.start);
    expect(span(ab!.window as { start: string; end: string })).toBe(30_000);
    expect(watch).toMatchObject({ degraded: false });
    expect(span(watch!.window as { start: string; end: string })).toBe(30_000);
  });
});

/** Alertmanager's (and Prometheus') fingerprint of a label set: FNV-1a 64 over sorted names and values, each followed by 0xff. */
function labelsFingerprint(labels: Record<string, string>): string {
  let hash = 0xcbf29ce484222325n;
  const bytes = (text: string) => [...new TextEncoder().encode(text), 0xff];
  for (const name of Object.keys(labels).sort()) {
    for (const byte of [...bytes(name), ...bytes(labels[name]!)]) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, "0");
}

/** Polls `find` until it returns a value, or fails after `timeoutMs`. */
async function waitFor<T>(find: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = await find();
    if (found !== null) return found;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no alert arrived within ${timeoutMs / 1000} s`);
}
