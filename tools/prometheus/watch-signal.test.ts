import { describe, expect, it } from "vitest";
import { WatchFinding } from "../../core/index.js";
import type { FakeSeries } from "./testing/fake-prometheus.js";
import { constantSeries, fakePrometheusPerTest } from "./testing/setup.js";
import { watchSignalTool } from "./watch-signal.js";

const SINCE = new Date("2026-08-01T12:00:00.000Z");
const setup = fakePrometheusPerTest(SINCE);
const minutesAfter = (t: Date) => (t.getTime() - SINCE.getTime()) / 60_000;

/** Traffic-mix series: ndcg, latency as a function of minutes after the deploy, error rate. */
function world(latency: (minute: number) => number, ndcg: (minute: number) => number = () => 0.71): FakeSeries[] {
  return [
    { labels: { __name__: "search:ndcg_at_10", service: "search", variant: "all" }, value: (t) => (minutesAfter(t) < 0 ? 0.7 : ndcg(minutesAfter(t))) },
    { labels: { __name__: "search:latency_p95_seconds", service: "search", variant: "all" }, value: (t) => latency(minutesAfter(t)) },
    constantSeries({ __name__: "search:error_rate", service: "search" }, 0.005),
  ];
}
const input = (extra: Record<string, unknown> = {}) =>
  watchSignalTool.input.parse({ signal: "ndcg_drop", service: "search", since: SINCE.toISOString(), ...extra });

describe("prometheus_watch_signal", () => {
  it("returns early, degraded, on a sustained latency breach", async () => {
    const { ctx, clock, fake } = await setup(world((m) => (m >= 25 ? 1.3 : 0.4)));
    const outcome = await watchSignalTool.run(input(), ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    const data = WatchFinding.parse(outcome.data);
    expect(clock.now().toISOString()).toBe("2026-08-01T12:30:00.000Z");
    expect(data.window).toEqual({ start: SINCE.toISOString(), end: "2026-08-01T12:30:00.000Z" });
    expect(data.degraded).toBe(true);
    expect(data.breaches).toEqual([
      { metric: "search:latency_p95_seconds", rule: "guardrail: p95 latency over 1000 ms", value: 1.3, threshold: 1, at: "2026-08-01T12:27:00.000Z" },
    ]);
    expect(data.final).toEqual({ "search:ndcg_at_10": 0.71, "search:latency_p95_seconds": 1.3, "search:error_rate": 0.005 });
    const pre = fake.requests[0]!;
    expect(pre).toEqual({ path: "/api/v1/query", params: { query: 'search:ndcg_at_10{service="search",variant=~"all|"}', time: "2026-08-01T11:59:00.000Z" } });
    const ranges = fake.requests.filter((r) => r.path === "/api/v1/query_range" && r.params.query?.startsWith("search:error_rate"));
    expect(ranges.map((r) => r.params.end)).toEqual(["2026-08-01T12:10:00.000Z", "2026-08-01T12:20:00.000Z", "2026-08-01T12:30:00.000Z"]);
    expect(ranges.every((r) => r.params.start === SINCE.toISOString() && r.params.step === "60")).toBe(true);
    expect(outcome.artifacts?.[0]).toMatchObject({ kind: "watch_report", name: "watch-ndcg_drop.md", mediaType: "text/markdown" });
    expect(outcome.artifacts?.[0]?.content).toContain("**degraded**");
  });

  it("stays healthy over the full window, ignoring a spike shorter than sustained_points", async () => {
    const { ctx, clock, fake } = await setup(world((m) => (m === 15 || m === 16 ? 1.4 : 0.4)));
    const outcome = await watchSignalTool.run(input(), ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    expect(clock.now().toISOString()).toBe("2026-08-01T14:00:00.000Z");
    expect(outcome.data).toEqual({
      window: { start: SINCE.toISOString(), end: "2026-08-01T14:00:00.000Z" },
      degraded: false,
      breaches: [],
      final: { "search:ndcg_at_10": 0.71, "search:latency_p95_seconds": 0.4, "search:error_rate": 0.005 },
    });
    expect(fake.requests.filter((r) => r.params.query?.startsWith("search:ndcg_at_10") && r.path.endsWith("query_range"))).toHaveLength(12);
    expect(outcome.summary).toContain("NDCG@10 0.710 (pre-deploy 0.700), no sustained breach of 3 rules");
  });

  it("breaches the signal's rollback rule when it stays under the pre-deploy value", async () => {
    const { ctx } = await setup(world(() => 0.4, (m) => (m >= 40 ? 0.69 : 0.71)));
    const outcome = await watchSignalTool.run(input({ check_every_minutes: 15, sustained_points: 5 }), ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    expect(outcome.data.window.end).toBe("2026-08-01T12:45:00.000Z");
    expect(outcome.data.breaches).toEqual([
      {
        metric: "search:ndcg_at_10",
        rule: "rollback rule of ndcg_drop: below the pre-deploy value 0.700 by more than 1%",
        value: 0.69,
        threshold: 0.693,
        at: "2026-08-01T12:44:00.000Z",
      },
    ]);
  });

  it("does not call a metric that merely stays at its pre-deploy level (a rollout still in progress) a degradation", async () => {
    const { ctx } = await setup(world(() => 0.4, (m) => (m < 50 ? 0.6965 : 0.72)));
    const outcome = await watchSignalTool.run(input(), ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    expect(outcome.data.degraded).toBe(false);
  });

  it("holds a no-loss quality gate after the deploy: an ETL change must not cost NDCG@10", async () => {
    const backlog = (fall: boolean) => [
      { labels: { __name__: "etl:backlog_seconds", service: "search" }, value: (t: Date) => (minutesAfter(t) < 0 ? 95 : 30) },
      { labels: { __name__: "search:ndcg_at_10", service: "search", variant: "all" }, value: (t: Date) => (fall && minutesAfter(t) >= 20 ? 0.679 : 0.7) },
      constantSeries({ __name__: "search:latency_p95_seconds", service: "search" }, 0.4),
      constantSeries({ __name__: "search:error_rate", service: "search" }, 0.005),
    ];
    const etl = (extra: Record<string, unknown> = {}) => watchSignalTool.input.parse({ signal: "etl_backlog", service: "search", since: SINCE.toISOString(), ...extra });
    const lost = await setup(backlog(true));
    const outcome = await watchSignalTool.run(etl(), lost.ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    expect(outcome.data.degraded).toBe(true);
    expect(outcome.data.breaches[0]).toMatchObject({ metric: "search:ndcg_at_10", rule: "quality gate: no loss of ndcg_at_10 (pre-deploy 0.700)", value: 0.679 });
    const kept = await setup(backlog(false));
    const fine = await watchSignalTool.run(etl(), kept.ctx);
    if (fine.status !== "success") throw new Error(fine.summary);
    expect(fine.data.degraded).toBe(false);
    expect(fine.summary).toContain("no sustained breach of 4 rules");
  });

  it("on a short window, reads the pre-deploy value one 15 s step before the deploy and counts 15 s samples", async () => {
    const seconds = (t: Date) => (t.getTime() - SINCE.getTime()) / 1000;
    // Latency over the guardrail from 60 s on; a spike at 15-45 s covers two samples only.
    const latency = (t: Date) => (seconds(t) >= 60 || (seconds(t) >= 15 && seconds(t) < 45) ? 1.3 : 0.4);
    const { ctx, fake } = await setup([
      { labels: { __name__: "search:ndcg_at_10", service: "search", variant: "all" }, value: () => 0.71 },
      { labels: { __name__: "search:latency_p95_seconds", service: "search", variant: "all" }, value: latency },
    ]);
    const outcome = await watchSignalTool.run(input({ minutes: 4, check_every_minutes: 1 }), ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    expect(fake.requests[0]?.params.time).toBe("2026-08-01T11:59:45.000Z");
    expect(outcome.data.window.end).toBe("2026-08-01T12:02:00.000Z");
    expect(outcome.data.breaches).toEqual([
      { metric: "search:latency_p95_seconds", rule: "guardrail: p95 latency over 1000 ms", value: 1.3, threshold: 1, at: "2026-08-01T12:01:30.000Z" },
    ]);
    expect(fake.requests.filter((r) => r.path.endsWith("query_range")).every((r) => r.params.step === "15")).toBe(true);
    expect(outcome.artifacts?.[0]?.content).toContain("a breach holds for 3 consecutive 15 s samples");
  });

  it("answers no_data when there is no pre-deploy value to compare against", async () => {
    const { ctx } = await setup([]);
    const outcome = await watchSignalTool.run(input(), ctx);
    expect(outcome.status).toBe("no_data");
    expect(outcome.summary).toContain('no pre-deploy sample for search:ndcg_at_10{service="search",variant=~"all|"} at 2026-08-01T11:59:00.000Z');
  });

  it("rethrows when the call is cancelled while waiting", async () => {
    const { ctx } = await setup(world(() => 0.4));
    const controller = new AbortController();
    controller.abort(new Error("cycle cancelled"));
    await expect(watchSignalTool.run(input(), { ...ctx, signal: controller.signal })).rejects.toThrow("cycle cancelled");
  });
});
