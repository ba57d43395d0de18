import { describe, expect, it } from "vitest";
import { MonitorFinding, SimulatedClock } from "../../core/index.js";
import { PrometheusClient } from "./client.js";
import { getSignalTool } from "./get-signal.js";
import { constantSeries as constant, fakePrometheusPerTest } from "./testing/setup.js";
import { testToolContext } from "./testing/tool-context.js";

const START = new Date("2026-08-01T12:00:00.000Z");
const setup = fakePrometheusPerTest(START);

const SERIES = [
  constant({ __name__: "search:ndcg_at_10", service: "search", variant: "all" }, 0.652),
  constant({ __name__: "search:ndcg_at_10", service: "search", variant: "candidate" }, 0.9),
  constant({ __name__: "search:ndcg_at_10:baseline", service: "search" }, 0.72),
  constant({ __name__: "search:ndcg_at_10", service: "healthy", variant: "all" }, 0.71),
  constant({ __name__: "search:ndcg_at_10:baseline", service: "healthy" }, 0.72),
  // No variant label: `variant=~"all|"` must still match it.
  constant({ __name__: "search:latency_p95_seconds", service: "search" }, 0.85),
  constant({ __name__: "search:latency_p95_seconds:baseline", service: "search" }, 0.65),
];

describe("prometheus_get_signal", () => {
  it("reports a triggered relative drop against the baseline", async () => {
    const { ctx, fake } = await setup(SERIES);
    const outcome = await getSignalTool.run(getSignalTool.input.parse({ signal: "ndcg_drop", service: "search" }), ctx);
    expect(outcome.status).toBe("success");
    if (outcome.status !== "success") return;
    expect(outcome.summary).toBe("NDCG@10 of search is 0.652, 9.4% under its baseline 0.720 (trigger at 3%): triggered");
    expect(MonitorFinding.parse(outcome.data)).toEqual({
      signal: "ndcg_drop",
      service: "search",
      metric: "search:ndcg_at_10",
      value: 0.652,
      baseline: 0.72,
      threshold: expect.closeTo(0.6984, 9),
      triggered: true,
      at: START.toISOString(),
    });
    expect(fake.requests.map((r) => r.params)).toEqual([
      { query: 'search:ndcg_at_10{service="search",variant=~"all|"}', time: START.toISOString() },
      { query: 'search:ndcg_at_10:baseline{service="search"}', time: START.toISOString() },
    ]);
  });

  it("reports a value above its threshold as not triggered", async () => {
    const { ctx } = await setup(SERIES);
    const outcome = await getSignalTool.run(getSignalTool.input.parse({ signal: "ndcg_drop", service: "healthy" }), ctx);
    expect(outcome.status === "success" && outcome.data.triggered).toBe(false);
    expect(outcome.summary).toBe("NDCG@10 of healthy is 0.710, 1.4% under its baseline 0.720 (trigger at 3%): not triggered");
  });

  it("uses the rule's value as the threshold of an absolute rule, matching series without a variant label", async () => {
    const { ctx } = await setup(SERIES);
    const outcome = await getSignalTool.run(getSignalTool.input.parse({ signal: "latency_p95", service: "search" }), ctx);
    expect(outcome.summary).toBe("p95 latency of search is 0.850, 30.8% over its baseline 0.650 (trigger above 0.800): triggered");
    expect(outcome.status === "success" && outcome.data.threshold).toBe(0.8);
  });

  it("answers no_data naming the exact query when there is no sample", async () => {
    const { ctx } = await setup(SERIES);
    const outcome = await getSignalTool.run(getSignalTool.input.parse({ signal: "ndcg_drop", service: "checkout" }), ctx);
    expect(outcome.status).toBe("no_data");
    expect(outcome.summary).toBe(`no sample for search:ndcg_at_10{service="checkout",variant=~"all|"} at ${START.toISOString()}`);
  });

  it("answers no_data when a relative rule has no baseline sample", async () => {
    const { ctx } = await setup([constant({ __name__: "search:ndcg_at_10", service: "search", variant: "all" }, 0.652)]);
    const outcome = await getSignalTool.run(getSignalTool.input.parse({ signal: "ndcg_drop", service: "search" }), ctx);
    expect(outcome.status).toBe("no_data");
    expect(outcome.summary).toContain('search:ndcg_at_10:baseline{service="search"}');
  });

  it("rejects a service name that could inject PromQL", () => {
    const parsed = getSignalTool.input.safeParse({ signal: "ndcg_drop", service: 'search"} or vector(1) or x{a="' });
    expect(parsed.success).toBe(false);
  });

  it("returns an error outcome naming the request when Prometheus is down", async () => {
    const clock = new SimulatedClock({ start: START });
    const prometheus = new PrometheusClient({ baseUrl: "http://127.0.0.1:1", retries: 0 });
    const outcome = await getSignalTool.run({ signal: "ndcg_drop", service: "search" }, testToolContext({ clock, clients: { prometheus } }));
    expect(outcome.status).toBe("error");
    if (outcome.status !== "error") return;
    expect(outcome.error).toMatchObject({ system: "prometheus", request: "POST /api/v1/query", code: "upstream_unreachable", retryable: true });
  });
});
