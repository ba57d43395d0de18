import { describe, expect, it } from "vitest";
import { AbTestFinding } from "../../core/index.js";
import { compareVariantsTool } from "./compare-variants.js";
import type { FakeSeries } from "./testing/fake-prometheus.js";
import { constantSeries, fakePrometheusPerTest } from "./testing/setup.js";

const SINCE = new Date("2026-08-01T12:00:00.000Z");
const END = "2026-08-01T13:00:00.000Z";
const setup = fakePrometheusPerTest(SINCE);

type Levels = Partial<Record<"ndcg" | "latency" | "errors", number>>;
const METRICS = { ndcg: "search:ndcg_at_10", latency: "search:latency_p95_seconds", errors: "search:error_rate" } as const;
function variants(champion: Levels, candidate: Levels): FakeSeries[] {
  return (["champion", "candidate"] as const).flatMap((variant) =>
    Object.entries(variant === "champion" ? champion : candidate).map(([k, v]) =>
      constantSeries({ __name__: METRICS[k as keyof Levels], service: "search", variant }, v),
    ),
  );
}
const CHAMPION = { ndcg: 0.7, latency: 0.5, errors: 0.01 };
const input = () => compareVariantsTool.input.parse({ signal: "ndcg_drop", service: "search", since: SINCE.toISOString() });

describe("prometheus_compare_variants", () => {
  it("waits for the window to end, then lets a better candidate win", async () => {
    const { ctx, fake, clock } = await setup(variants(CHAMPION, { ndcg: 0.74, latency: 0.52, errors: 0.0105 }));
    const outcome = await compareVariantsTool.run(input(), ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    expect(clock.now().toISOString()).toBe(END);
    const data = AbTestFinding.parse(outcome.data);
    expect(data.winner).toBe("candidate");
    expect(data.passed).toBe(true);
    expect(data.traffic_percent).toBe(20);
    expect(data.window).toEqual({ start: SINCE.toISOString(), end: END });
    expect(data.metrics).toEqual([
      { metric: "search:ndcg_at_10", champion: 0.7, candidate: 0.74, better: "candidate" },
      { metric: "search:latency_p95_seconds", champion: 0.5, candidate: 0.52, better: "champion" },
      { metric: "search:error_rate", champion: 0.01, candidate: 0.0105, better: "champion" },
    ]);
    expect(fake.requests).toHaveLength(6);
    expect(fake.requests.map((r) => r.params.query)).toContain('search:ndcg_at_10{service="search",variant="candidate"}');
    for (const r of fake.requests) {
      expect(r.path).toBe("/api/v1/query_range");
      expect(r.params).toMatchObject({ start: SINCE.toISOString(), end: END, step: "60" });
    }
    const artifact = outcome.artifacts?.[0];
    expect(artifact).toMatchObject({ kind: "ab_test_results", name: "ab-test-ndcg_drop.json", mediaType: "application/json" });
    expect(JSON.parse(artifact!.content)).toMatchObject({ winner: "candidate", passed: true, step_seconds: 60 });
    expect(outcome.summary).toContain("the candidate wins (NDCG@10 0.740 vs 0.700)");
  });

  it("gives the win to the champion when a guardrail regresses by more than 10%", async () => {
    const { ctx } = await setup(variants(CHAMPION, { ndcg: 0.74, latency: 0.6, errors: 0.01 }));
    const outcome = await compareVariantsTool.run(input(), ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    expect(outcome.data.winner).toBe("champion");
    expect(outcome.data.passed).toBe(false);
    expect(outcome.summary).toContain("search:latency_p95_seconds of the candidate 0.600 is more than 10% worse than the champion's 0.500");
  });

  it("gives the win to the champion when a guardrail is over its absolute limit", async () => {
    const { ctx } = await setup(variants({ ...CHAMPION, errors: 0.019 }, { ndcg: 0.74, latency: 0.5, errors: 0.0205 }));
    const outcome = await compareVariantsTool.run(input(), ctx);
    expect(outcome.status === "success" && outcome.data.winner).toBe("champion");
    expect(outcome.summary).toContain("search:error_rate of the candidate 0.0205 is over its limit 0.0200");
  });

  it("gives the win to the champion when the signal metric is worse", async () => {
    const { ctx } = await setup(variants(CHAMPION, { ndcg: 0.69, latency: 0.5, errors: 0.01 }));
    const outcome = await compareVariantsTool.run(input(), ctx);
    expect(outcome.status === "success" && outcome.data.winner).toBe("champion");
  });

  it("is inconclusive when the candidate has no data", async () => {
    const { ctx } = await setup(variants(CHAMPION, {}));
    const outcome = await compareVariantsTool.run(input(), ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    expect(outcome.data.winner).toBe("inconclusive");
    expect(outcome.data.passed).toBe(false);
    expect(outcome.data.metrics[0]).toEqual({ metric: "search:ndcg_at_10", champion: 0.7, candidate: null, better: "unknown" });
    expect(outcome.summary).toContain("no data for search:ndcg_at_10 from the candidate");
  });

  it("is inconclusive when the gain is within 0.5%", async () => {
    const { ctx } = await setup(variants(CHAMPION, { ndcg: 0.702, latency: 0.5, errors: 0.01 }));
    const outcome = await compareVariantsTool.run(input(), ctx);
    expect(outcome.status === "success" && outcome.data.winner).toBe("inconclusive");
  });

  it("honours minutes and traffic_percent", async () => {
    const { ctx, clock } = await setup(variants(CHAMPION, { ndcg: 0.74, latency: 0.5, errors: 0.01 }));
    const outcome = await compareVariantsTool.run(
      compareVariantsTool.input.parse({ signal: "ndcg_drop", service: "search", since: SINCE.toISOString(), minutes: 30, traffic_percent: 10 }),
      ctx,
    );
    expect(clock.now().toISOString()).toBe("2026-08-01T12:30:00.000Z");
    expect(outcome.status === "success" && outcome.data.traffic_percent).toBe(10);
  });

  it("samples a short window (the contract's abMinutes) every 15 s instead of every minute", async () => {
    const { ctx, fake, clock } = await setup(variants(CHAMPION, { ndcg: 0.74, latency: 0.5, errors: 0.01 }));
    const outcome = await compareVariantsTool.run(input(), { ...ctx, contract: { ...ctx.contract, abMinutes: 0.5 } });
    if (outcome.status !== "success") throw new Error(outcome.summary);
    expect(clock.now().toISOString()).toBe("2026-08-01T12:00:30.000Z");
    expect(outcome.data.winner).toBe("candidate");
    expect(fake.requests.map((r) => r.params.step)).toEqual(Array(6).fill("15"));
    expect(JSON.parse(outcome.artifacts![0]!.content)).toMatchObject({ step_seconds: 15 });
  });
});
