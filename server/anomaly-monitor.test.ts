import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SERVICE_CATALOG, ENVIRONMENTS, INTERNAL_SIGNALS, parseTriggerContract, SimulatedClock, type AnomaliesFinding } from "../core/index.js";
import { ALL_TOOLS, type ToolClients } from "../tools/index.js";
import { createPolicyGate, DEFAULT_POLICY_DIR, loadPolicyEngine, type GateResult, type ToolCallRequest } from "../policies/index.js";
import { flagsFor } from "../policies/testing/flags.js";
import { createAnomalyMonitor, joinRuns, monitoredSeries, monitorScope, MONITOR_PRINCIPAL, type AnomalyMonitorDeps, type DriftEvent } from "./anomaly-monitor.js";
import { createAnomalyMonitorRepo, openTestDatabase, type Database } from "./store/index.js";

const contract = parseTriggerContract();
const run = (start: string, end: string, points: number, peak: number) => ({ start: `2026-11-20T${start}:00.000Z`, end: `2026-11-20T${end}:00.000Z`, points, peak_score: peak });

describe("joinRuns", () => {
  it("joins runs at most the gap apart, whatever their order, and keeps the others apart", () => {
    const runs = [run("08:20", "08:22", 3, 0.68), run("08:13", "08:13", 1, 0.69), run("08:15", "08:15", 1, 0.66), run("09:00", "09:01", 2, 0.7)];
    expect(joinRuns(runs, 10 * 60_000)).toEqual([run("08:13", "08:22", 5, 0.69), run("09:00", "09:01", 2, 0.7)]);
    expect(joinRuns(runs, 60_000)).toHaveLength(4);
    expect(runs[1]).toEqual(run("08:13", "08:13", 1, 0.69));
  });
});

describe("monitoredSeries", () => {
  const catalog = { ...DEFAULT_SERVICE_CATALOG, etl: { app: "etl", model: "etl-tuner", dataset: "etl-runs" } };
  it("watches every contract signal of every catalogued service by default, not the autopilot's own", () => {
    const all = monitoredSeries({ intervalMs: 60_000, windowMinutes: 360, series: undefined, dashboards: {} }, catalog, contract);
    const watchable = Object.keys(contract.signals).filter((s) => !(INTERNAL_SIGNALS as readonly string[]).includes(s));
    expect(all).toHaveLength(2 * watchable.length);
    expect(all).toContainEqual({ service: "etl", signal: "etl_backlog" });
    expect(all.map((s) => s.signal)).not.toContain("detector_drift");
  });
  it("takes the configured series once each, with the series' dashboard panel over its service's dashboard", () => {
    const dashboards = { search: { uid: "search-overview" }, "search:latency_p95": { uid: "search-latency", panelId: 4 } };
    const series = [
      { service: "search", signal: "ndcg_drop" as const },
      { service: "search", signal: "latency_p95" as const },
      { service: "search", signal: "ndcg_drop" as const },
      { service: "etl", signal: "etl_backlog" as const },
    ];
    expect(monitoredSeries({ intervalMs: 60_000, windowMinutes: 360, series, dashboards }, catalog, contract)).toEqual([
      { service: "search", signal: "ndcg_drop", dashboardUid: "search-overview" },
      { service: "search", signal: "latency_p95", dashboardUid: "search-latency", panelId: 4 },
      { service: "etl", signal: "etl_backlog" },
    ]);
  });
});

// What the shipped policies answer the monitor, decided by the real gate (check(): nothing runs).
describe("the shipped policies and the monitor's calls", async () => {
  const engine = await loadPolicyEngine(DEFAULT_POLICY_DIR, ALL_TOOLS);
  const gateWith = (options: { sandbox: boolean; killSwitch?: boolean; spentTodayUsd?: number }) =>
    createPolicyGate({
      engine,
      tools: ALL_TOOLS,
      clients: {} as ToolClients,
      audit: { append: async () => ({ seq: 0, hash: "" }) },
      approvals: { consume: async () => null },
      flags: { forEnvironment: async () => flagsFor({ killSwitch: options.killSwitch ?? false }) },
      quotas: {
        state: async () => ({ cycles: 0, spentUsd: options.spentTodayUsd ?? 0, holdsSlot: false }),
        reserveCycleSlot: async () => ({ ok: true, used: 1 }),
        reserveSpend: async () => ({ ok: true, used: 0 }),
        reservedBy: async () => 0,
      },
      contract: async () => contract,
      clock: new SimulatedClock({ start: new Date("2026-11-20T11:00:00Z") }),
      sandbox: options.sandbox,
      cycleBudgetUsd: 5,
    });
  const CALLS = {
    prometheus_detect_anomalies: { signal: "ndcg_drop", service: "search", minutes: 390 },
    alertmanager_post_alerts: { alerts: [{ labels: { alertname: "MetricAnomaly", service: "search" }, starts_at: "2026-11-20T08:13:00Z" }] },
    grafana_create_annotation: { time: "2026-11-20T08:13:00Z", time_end: "2026-11-20T08:36:00Z", tags: ["anomaly"], text: "Anomaly" },
  };
  const decide = async (gate: ReturnType<typeof gateWith>, environment: (typeof ENVIRONMENTS)[number]) => {
    const out: Record<string, string> = {};
    for (const [tool, input] of Object.entries(CALLS)) {
      const { decision } = await gate.check({ principal: MONITOR_PRINCIPAL, tool, input, scope: monitorScope(environment) });
      out[tool] = `${decision?.outcome} ${decision?.policies.join(",")}`;
    }
    return out;
  };

  it("lets it read everywhere, and write in staging and production, and in dev only against the sandbox", async () => {
    const outside = gateWith({ sandbox: false });
    const sandbox = gateWith({ sandbox: true });
    const writes = (outcome: string) => ({ prometheus_detect_anomalies: "allow base-read-only", alertmanager_post_alerts: outcome, grafana_create_annotation: outcome });
    expect(await decide(outside, "production")).toEqual(writes("allow base-agent-write"));
    expect(await decide(outside, "staging")).toEqual(writes("allow base-agent-write"));
    expect(await decide(outside, "dev")).toEqual(writes("deny dev-sandbox-only"));
    expect(await decide(sandbox, "dev")).toEqual(writes("allow base-agent-write"));
  });

  it("stops its alerts and annotations, not its reading, under the kill switch and when the day's budget is spent", async () => {
    const stopped = (policy: string) => ({ prometheus_detect_anomalies: "allow base-read-only", alertmanager_post_alerts: `deny ${policy}`, grafana_create_annotation: `deny ${policy}` });
    expect(await decide(gateWith({ sandbox: false, killSwitch: true }), "production")).toEqual(stopped("hard-stop-kill-switch"));
    expect(await decide(gateWith({ sandbox: false, spentTodayUsd: 500 }), "production")).toEqual(stopped("hard-stop-budget"));
  });
});

describe("createAnomalyMonitor with a scripted gate", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => db?.close());

  const finding = (over: Partial<AnomaliesFinding> = {}): AnomaliesFinding => ({
    series: "search:ndcg_drop",
    query: 'search:ndcg_at_10{service="search"}',
    model: { name: "anomaly-search-ndcg_drop", version: "2", source: "registered" },
    window: { start: "2026-11-20T04:30:00.000Z", end: "2026-11-20T11:00:00.000Z", step_seconds: 60 },
    points: 391,
    threshold: 0.6,
    max_score: 0.7,
    flagged: [],
    events: [run("08:13", "08:36", 10, 0.69)],
    psi: 0.4,
    drift: true,
    at: "2026-11-20T11:00:00.000Z",
    ...over,
  });
  const executed = (outcome: Extract<GateResult, { status: "executed" }>["outcome"]): GateResult => ({
    status: "executed",
    decision: { outcome: "allow", reasons: [], policies: [], hardStop: false, obligations: [], errors: [] },
    callHash: "h",
    outcome,
    durationMs: 1,
  });
  const monitorWith = (answer: (req: ToolCallRequest) => Promise<GateResult>, over: Partial<AnomalyMonitorDeps> = {}) => {
    const calls: ToolCallRequest[] = [];
    const monitor = createAnomalyMonitor({
      gate: { execute: (req) => (calls.push(req), answer(req)) },
      environment: "staging",
      audit: { append: async () => ({ seq: 1, hash: "" }) },
      repo: createAnomalyMonitorRepo(db),
      clock: new SimulatedClock({ start: new Date("2026-11-20T11:00:00Z") }),
      logger: { info: () => {}, warn: () => {} },
      series: [{ signal: "ndcg_drop", service: "search" }],
      intervalMs: 3_600_000,
      windowMinutes: 360,
      alertmanager: true,
      grafana: true,
      ...over,
    });
    return { monitor, calls };
  };

  it("skips a call that needs an approval, reports a gate that throws, and goes on with the other series", async () => {
    const { monitor, calls } = monitorWith(async (req) => {
      if (req.tool === "alertmanager_post_alerts") return { status: "approval_required", decision: { outcome: "require_approval", reasons: ["a human must confirm"], policies: [], hardStop: false, obligations: [], errors: [] }, callHash: "h", input: {} };
      if (req.tool === "grafana_create_annotation") throw new Error("the audit store is down");
      if ((req.input as { signal: string }).signal === "latency_p95") throw new Error("connection refused");
      return executed({ status: "success", summary: "1 event", data: finding({ drift: false }) });
    }, { series: [{ signal: "latency_p95", service: "search" }, { signal: "ndcg_drop", service: "search" }] });
    const [latency, ndcg] = await monitor.tick();
    expect(latency).toMatchObject({ series: "search:latency_p95", status: "error", errors: [{ tool: null, event: null, message: "connection refused" }] });
    expect(ndcg).toMatchObject({ status: "success", found: 1, reported: [run("08:13", "08:36", 10, 0.69)], posted: [], annotated: [] });
    expect(ndcg!.denied).toEqual([{ tool: "alertmanager_post_alerts", event: "2026-11-20T08:13:00.000Z", reasons: ["it needs an approval, which the monitor does not ask for", "a human must confirm"] }]);
    expect(ndcg!.errors).toEqual([{ tool: null, event: "2026-11-20T08:13:00.000Z", message: "the audit store is down" }]);
    // Every call as the monitor, outside any cycle, in its phase; the watched window plus the detector's warm-up.
    for (const c of calls) expect(c).toMatchObject({ principal: { type: "Agent", id: "anomaly-monitor" }, scope: monitorScope("staging") });
    expect(calls[0]!.input).toEqual({ signal: "latency_p95", service: "search", minutes: 390 });
  });

  it("leaves out events that start in the detector's warm-up, before the watched window", async () => {
    const { monitor } = monitorWith(async () => executed({ status: "success", summary: "", data: finding({ drift: false, events: [run("04:31", "04:31", 1, 0.8), run("05:00", "05:02", 2, 0.7)] }) }), { environment: "dev" });
    const [r] = await monitor.tick();
    expect(r).toMatchObject({ found: 1, reported: [run("05:00", "05:02", 2, 0.7)] });
    // A detector trained at five-minute steps warms up over 150 minutes.
    const coarse = finding({ drift: false, window: { ...finding().window, step_seconds: 300 }, events: [run("06:55", "06:55", 1, 0.8), run("07:05", "07:05", 1, 0.8)] });
    const [late] = await monitorWith(async () => executed({ status: "success", summary: "", data: coarse }), { environment: "dev" }).monitor.tick();
    expect(late).toMatchObject({ found: 1, reported: [run("07:05", "07:05", 1, 0.8)] });
  });

  it("signals drift again on the next pass when onDrift failed", async () => {
    let fail = true;
    const drifts: DriftEvent[] = [];
    const onDrift = (e: DriftEvent) => {
      if (fail) throw new Error("no cycle could be queued");
      drifts.push(e);
    };
    const { monitor } = monitorWith(async () => executed({ status: "success", summary: "", data: finding({ events: [] }) }), { environment: "production", onDrift });
    const [first] = await monitor.tick();
    expect(first).toMatchObject({ drift: { drifted: true, signalled: false }, errors: [{ tool: null, event: null, message: "onDrift failed: no cycle could be queued" }] });
    fail = false;
    const [second] = await monitor.tick();
    expect(second).toMatchObject({ drift: { drifted: true, model: { version: "2" }, signalled: true }, errors: [] });
    expect(drifts.map((d) => d.model.version)).toEqual(["2"]);
  });

  it("stop() cuts a running detection short and waits for the pass", async () => {
    let release!: () => void;
    const called = new Promise<void>((resolve) => (release = resolve));
    const { monitor } = monitorWith(
      (req) =>
        new Promise<GateResult>((resolve) => {
          release();
          req.signal!.addEventListener("abort", () => resolve(executed({ status: "error", summary: "prometheus_detect_anomalies did not finish", error: { code: "tool_timeout", message: "aborted", retryable: true } })));
        }),
      { environment: "production", series: [{ signal: "recall_drop", service: "search" }] },
    );
    monitor.start();
    await called;
    const pass = monitor.tick();
    await monitor.stop();
    expect((await pass)[0]).toMatchObject({ status: "error", errors: [{ tool: "prometheus_detect_anomalies", message: "prometheus_detect_anomalies did not finish" }] });
  });
});
