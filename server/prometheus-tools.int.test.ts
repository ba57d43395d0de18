import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_TRIGGER_CONTRACT, type DiagnosisFinding, type MonitorFinding } from "../core/index.js";
import { findTool, PrometheusClient, type ToolContext, type ToolOutcome } from "../tools/index.js";
import { loadScenario } from "../evals/sandbox/index.js";
import { loadConfig } from "./config.js";
import { openPlatform, type Platform } from "./platform.js";
import { freePort, missingBinaries, startPrometheus, type RunningPrometheus } from "./testing/monitoring.js";

// The Prometheus tools against a real Prometheus that scrapes a running sandbox's /metrics and
// records the shipped rules; every number is checked against the sandbox's own Prometheus API,
// which computes the same series from the world directly.

const RULES = ["recording.rules.yml", "alerting.rules.yml"].map((f) => path.resolve(import.meta.dirname, "..", "deploy", "prometheus", f));

/**
 * The recorded series of the architecture's metric table, each with how far the real one may be from
 * the sandbox's (relative). Gauges carry ±0.3% noise per series on both sides; p95 latency is
 * interpolated inside a histogram bucket by Prometheus and exact in the sandbox. Not recorded from
 * the raw metrics: search_stage:latency_p95_seconds (see deploy/prometheus/recording.rules.yml).
 */
const SERIES: Record<string, number> = {
  "search:ndcg_at_10": 0.01,
  "search:ndcg_at_10:baseline": 0.01,
  "search_topic:ndcg_at_10": 0.01,
  "search_topic:ndcg_at_10:baseline": 0.01,
  "search:recall_at_20": 0.01,
  "search:recall_at_20:baseline": 0.01,
  "search_topic:recall_at_20": 0.01,
  "search_topic:recall_at_20:baseline": 0.01,
  "search:latency_p95_seconds": 0.05,
  "search:latency_p95_seconds:baseline": 0.05,
  "search:error_rate": 0.01,
  "search:cost_per_1k_requests_usd": 0.01,
  "search:cost_budget_ratio": 0.01,
  "etl:backlog_seconds": 0.01,
  "etl:backlog_seconds:baseline": 0.01,
  "etl_processor:backlog_seconds": 0.01,
  "etl_processor:backlog_seconds:baseline": 0.01,
  "search:user_satisfaction": 0.01,
};

const missing = missingBinaries("prometheus");
const title = "the Prometheus tools against a real Prometheus scraping the sandbox";
if (missing) console.warn(`skipped: ${title}: ${missing}`);

describe.skipIf(missing !== null)(missing ? `${title} (skipped: ${missing})` : title, () => {
  let home: string;
  let platform: Platform;
  let prometheus: RunningPrometheus;
  let real: ToolContext;
  let sandbox: ToolContext;
  /** The same call against the real Prometheus and the sandbox's API. */
  let both: <T>(f: (ctx: ToolContext) => Promise<T>) => Promise<[T, T]>;

  beforeAll(async () => {
    home = await mkdtemp(path.join(tmpdir(), "autopilot-prom-"));
    const port = await freePort();
    // Mixed mode: Prometheus is real, everything else is the sandbox, whose world follows the wall clock.
    const config = loadConfig({ AUTOPILOT_HOME: home, LOG_LEVEL: "silent", PROMETHEUS_URL: `http://127.0.0.1:${port}` } as NodeJS.ProcessEnv);
    const scenario = loadScenario("ndcg-drop");
    platform = await openPlatform({ config, environment: scenario.environment, scenario });
    const urls = platform.sandbox!.urls(platform.sandboxUrl!);
    prometheus = await startPrometheus({ scrapeUrl: urls.metrics, ruleFiles: RULES, port });
    const context = (prom: PrometheusClient): ToolContext => ({
      clients: { ...platform.clients, prometheus: prom },
      clock: platform.clock,
      signal: new AbortController().signal,
      environment: scenario.environment,
      contract: DEFAULT_TRIGGER_CONTRACT,
      cycleId: null,
    });
    real = context(platform.clients.prometheus);
    sandbox = context(new PrometheusClient({ baseUrl: urls.prometheus }));
    both = (f) => Promise.all([f(real), f(sandbox)]);
    // Rates need two scrapes and the baselines read recorded series: wait until every series is there.
    await waitFor(async () => {
      for (const name of Object.keys(SERIES)) if ((await real.clients.prometheus.query(name)).length === 0) return `no sample of ${name} yet`;
      return null;
    }, 30_000);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await platform?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it("runs in mixed mode: the tools ask the real Prometheus, and the sandbox's world reads the wall clock", async () => {
    expect(platform.allSandbox).toBe(false);
    expect(Math.abs(platform.sandbox!.clock.now().getTime() - Date.now())).toBeLessThan(1_000);
    expect(Math.abs(Date.parse(platform.sandbox!.scenario.start) - Date.now())).toBeLessThan(120_000);
    expect(await prometheus.apiQueries()).toContain("search:user_satisfaction");
  });

  it("records every series of the metric table with the sandbox's labels and numbers", async () => {
    const at = new Date();
    for (const [name, tolerance] of Object.entries(SERIES)) {
      const [mine, theirs] = await both((ctx) => ctx.clients.prometheus.query(name, { time: at }));
      const byLabels = (samples: typeof mine) => new Map(samples.map((s) => [JSON.stringify(Object.entries(s.metric).sort()), s.value]));
      const [got, want] = [byLabels(mine), byLabels(theirs)];
      expect([...got.keys()].sort(), name).toEqual([...want.keys()].sort());
      for (const [labels, value] of want) expectClose(got.get(labels)!, value, tolerance, `${name} ${labels}`);
    }
  });

  it("prometheus_query_instant: the traffic mix and each variant agree", async () => {
    const args = { query: 'search:ndcg_at_10{service="search"}', time: new Date().toISOString() };
    const [mine, theirs] = await both((ctx) => run<{ series: { metric: Record<string, string>; value: number }[] }>("prometheus_query_instant", args, ctx));
    const variants = (r: typeof mine): Record<string, number> => Object.fromEntries(r.series.map((s) => [s.metric.variant, s.value]));
    expect(Object.keys(variants(mine)).sort()).toEqual(["all", "champion"]);
    for (const [variant, value] of Object.entries(variants(theirs))) expectClose(variants(mine)[variant]!, value, 0.01, variant);
  });

  it("prometheus_query_instant: histogram_quantile over the raw request histogram agrees with the sandbox's", async () => {
    const query = 'histogram_quantile(0.95, sum by (le) (rate(search_request_duration_seconds_bucket{service="search"}[1m])))';
    const args = { query, time: new Date().toISOString() };
    const [mine, theirs] = await both((ctx) => run<{ series: { value: number }[] }>("prometheus_query_instant", args, ctx));
    expect(mine.series).toHaveLength(1);
    expectClose(mine.series[0]!.value, theirs.series[0]!.value, 0.01, query);
    // The interpolated p95 lands in the bucket of the world's p95 (0.42 s): 0.4-0.5 s.
    expect(mine.series[0]!.value).toBeGreaterThan(0.4);
    expect(mine.series[0]!.value).toBeLessThanOrEqual(0.5);
  });

  it("prometheus_query_range: every sample agrees with the sandbox at its instant", async () => {
    const query = 'search:ndcg_at_10{service="search",variant="all"}';
    // A few seconds of recorded history, one sample a second.
    await waitFor(async () => {
      const [series] = await real.clients.prometheus.queryRange(query, { start: new Date(Date.now() - 60_000), end: new Date(), stepSeconds: 1 });
      return (series?.values.length ?? 0) >= 5 ? null : "fewer than 5 recorded seconds";
    }, 30_000);
    const result = await run<{ step_seconds: number; series: { samples: [string, number][] }[] }>("prometheus_query_range", { query, minutes: 1, step_seconds: 1 }, real);
    expect(result.step_seconds).toBe(1);
    const samples = result.series[0]!.samples;
    expect(samples.length).toBeGreaterThanOrEqual(5);
    for (const [at, value] of samples) {
      const [theirs] = await sandbox.clients.prometheus.query(query, { time: new Date(at) });
      expectClose(value, theirs!.value, 0.01, `${query} at ${at}`);
    }
    // Without a step, a one-minute window is sampled every 15 s.
    expect((await run<{ step_seconds: number }>("prometheus_query_range", { query, minutes: 1 }, real)).step_seconds).toBe(15);
  });

  it("prometheus_get_signal: value, baseline and verdict agree for NDCG@10 and p95 latency", async () => {
    for (const [signal, tolerance] of [["ndcg_drop", 0.01], ["latency_p95", 0.05]] as const) {
      const [mine, theirs] = await both((ctx) => run<MonitorFinding>("prometheus_get_signal", { signal, service: "search" }, ctx));
      expectClose(mine.value, theirs.value, tolerance, `${signal} value`);
      expectClose(mine.baseline!, theirs.baseline!, tolerance, `${signal} baseline`);
      expect(mine.triggered).toBe(false);
      expect(theirs.triggered).toBe(false);
    }
  });

  it("prometheus_query_breakdown: every topic's value and baseline agree, none weak", async () => {
    const args = { signal: "ndcg_drop", service: "search", by: "topic" };
    const [mine, theirs] = await both((ctx) => run<DiagnosisFinding>("prometheus_query_breakdown", args, ctx));
    const byTopic = (d: DiagnosisFinding) => new Map(d.segments.map((s) => [s.label, s]));
    const [got, want] = [byTopic(mine), byTopic(theirs)];
    expect([...got.keys()].sort()).toEqual(["books", "electronics", "fashion", "home", "sports", "travel"]);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [topic, segment] of want) {
      expectClose(got.get(topic)!.value, segment.value, 0.01, `${topic} value`);
      expectClose(got.get(topic)!.baseline!, segment.baseline!, 0.01, `${topic} baseline`);
    }
    expect(mine.weak_segments).toEqual([]);
    expect(theirs.weak_segments).toEqual([]);
  });
});

/** Runs a tool and returns its data, failing with its summary unless it succeeded. */
async function run<T>(name: string, args: Record<string, unknown>, ctx: ToolContext): Promise<T> {
  const tool = findTool(name)!;
  const outcome = (await tool.run(tool.input.parse(args), ctx)) as ToolOutcome<T>;
  if (outcome.status !== "success") throw new Error(`${name}: ${outcome.status}: ${outcome.summary}`);
  return outcome.data;
}

function expectClose(actual: number, expected: number, relative: number, what: string): void {
  expect(Number.isFinite(actual), `${what}: ${actual}`).toBe(true);
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(Math.abs(expected) * relative);
}

/** Polls `check` (a reason to wait, or null when done) until it is done or `timeoutMs` passed. */
async function waitFor(check: () => Promise<string | null>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let reason: string | null = "not checked yet";
  while (Date.now() < deadline) {
    if ((reason = await check()) === null) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`gave up after ${timeoutMs / 1000} s: ${reason}`);
}
