import { describe, expect, it } from "vitest";
import { downsample, queryInstantTool, queryRangeTool } from "./query-tools.js";
import { constantSeries, fakePrometheusPerTest } from "./testing/setup.js";

const START = new Date("2026-08-01T12:00:00.000Z");
const setup = fakePrometheusPerTest(START);
const up = (instance: number, value: number) => constantSeries({ __name__: "up", job: "search", instance: `i${instance}` }, value);

describe("prometheus_query_instant", () => {
  it("evaluates at now and returns the series", async () => {
    const { ctx, fake } = await setup([up(1, 1), up(2, 0)]);
    const outcome = await queryInstantTool.run(queryInstantTool.input.parse({ query: 'up{job="search"}' }), ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    expect(outcome.data).toEqual({
      query: 'up{job="search"}',
      time: START.toISOString(),
      total: 2,
      series: [
        { metric: { __name__: "up", job: "search", instance: "i1" }, value: 1 },
        { metric: { __name__: "up", job: "search", instance: "i2" }, value: 0 },
      ],
    });
    expect(fake.requests[0]?.params.time).toBe(START.toISOString());
  });

  it("caps the series at 200 and reports the total; non-finite values stay readable", async () => {
    const series = Array.from({ length: 250 }, (_, i) => up(i, i === 0 ? NaN : 1));
    const { ctx } = await setup(series);
    const outcome = await queryInstantTool.run(queryInstantTool.input.parse({ query: "up" }), ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    expect(outcome.data.total).toBe(250);
    expect(outcome.data.series).toHaveLength(200);
    expect(outcome.data.series.find((s) => s.metric.instance === "i0")?.value).toBe("NaN");
    expect(outcome.summary).toContain("first 200 shown");
  });

  it("passes a given time and answers no_data naming the query", async () => {
    const { ctx, fake } = await setup([up(1, 1)]);
    const outcome = await queryInstantTool.run(queryInstantTool.input.parse({ query: "down", time: "2026-08-01T11:00:00Z" }), ctx);
    expect(outcome).toEqual({ status: "no_data", summary: "no series for down at 2026-08-01T11:00:00.000Z" });
    expect(fake.requests[0]?.params.time).toBe("2026-08-01T11:00:00.000Z");
  });

  it("returns Prometheus' own error for a bad query", async () => {
    const { ctx } = await setup([]);
    const outcome = await queryInstantTool.run(queryInstantTool.input.parse({ query: "sum(up" }), ctx);
    if (outcome.status !== "error") throw new Error("expected an error");
    expect(outcome.error).toMatchObject({ system: "prometheus", upstream_status: 400, retryable: false });
    expect(outcome.error.upstream_message).toMatch(/^bad_data: invalid parameter "query"/);
  });

  it("refuses queries over 2000 characters and times without an offset", () => {
    expect(queryInstantTool.input.safeParse({ query: "x".repeat(2001) }).success).toBe(false);
    expect(queryInstantTool.input.safeParse({ query: "up", time: "2026-08-01T11:00:00" }).success).toBe(false);
  });
});

describe("prometheus_query_range", () => {
  it("summarises each series over the window ending now", async () => {
    const { ctx, fake } = await setup([
      { labels: { __name__: "search:error_rate", service: "search", variant: "all" }, value: (t) => (t.getTime() - START.getTime()) / 3_600_000 + 1 },
    ]);
    const outcome = await queryRangeTool.run(queryRangeTool.input.parse({ query: "search:error_rate" }), ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    expect(fake.requests[0]?.params).toEqual({ query: "search:error_rate", start: "2026-08-01T11:00:00.000Z", end: START.toISOString(), step: "60" });
    const s = outcome.data.series[0]!;
    expect(s.points).toBe(61);
    expect(s.min).toBe(0);
    expect(s.max).toBe(1);
    expect(s.mean).toBeCloseTo(0.5, 9);
    expect(s.first).toBe(0);
    expect(s.last).toBe(1);
    expect(s.samples).toHaveLength(60);
    expect(s.samples[0]).toEqual(["2026-08-01T11:00:00.000Z", 0]);
    expect(s.samples.at(-1)).toEqual([START.toISOString(), 1]);
  });

  it("reads a window ending at a given instant and lists as many samples as asked", async () => {
    const { ctx, fake } = await setup([
      { labels: { __name__: "search:error_rate", service: "search", variant: "all" }, value: (t) => (t.getTime() - START.getTime()) / 60_000 },
    ]);
    const outcome = await queryRangeTool.run(queryRangeTool.input.parse({ query: "search:error_rate", minutes: 120, end: "2026-08-01T10:00:00Z", step_seconds: 60, samples: 500 }), ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    expect(fake.requests[0]?.params).toMatchObject({ start: "2026-08-01T08:00:00.000Z", end: "2026-08-01T10:00:00.000Z" });
    const s = outcome.data.series[0]!;
    // 121 points fit under 500: every one is listed, the last at the window's end (two hours before START).
    expect(s.samples).toHaveLength(121);
    expect(s.samples.at(-1)).toEqual(["2026-08-01T10:00:00.000Z", -120]);
    expect(() => queryRangeTool.input.parse({ query: "up", samples: 1_001 })).toThrow();
    expect(() => queryRangeTool.input.parse({ query: "up", end: "2026-08-01T10:00:00" })).toThrow();
  });

  it("refuses a window over Prometheus' 11,000 points before asking it", async () => {
    const { ctx, fake } = await setup([]);
    const outcome = await queryRangeTool.run(queryRangeTool.input.parse({ query: "up", minutes: 10_080, step_seconds: 1 }), ctx);
    expect(outcome.status).toBe("error");
    expect(outcome.summary).toContain("raise step_seconds to at least 55");
    expect(fake.requests).toHaveLength(0);
  });

  it("steps a thirtieth of the window by default, between 15 s and 60 s; a given step wins", async () => {
    const { ctx, fake } = await setup([up(1, 1)]);
    const steps: Record<number, string> = { 5: "15", 10: "20", 20: "40", 30: "60", 1440: "60" };
    for (const minutes of Object.keys(steps).map(Number)) {
      const outcome = await queryRangeTool.run(queryRangeTool.input.parse({ query: "up", minutes }), ctx);
      expect(outcome.status === "success" && outcome.data.step_seconds, `${minutes} minutes`).toBe(Number(steps[minutes]));
    }
    await queryRangeTool.run(queryRangeTool.input.parse({ query: "up", minutes: 5, step_seconds: 1 }), ctx);
    expect(fake.requests.map((r) => r.params.step)).toEqual([...Object.values(steps), "1"]);
  });

  it("answers no_data for a query without series", async () => {
    const { ctx } = await setup([]);
    const outcome = await queryRangeTool.run(queryRangeTool.input.parse({ query: "up", minutes: 5 }), ctx);
    expect(outcome.status).toBe("no_data");
    expect(outcome.summary).toBe("no series for up from 2026-08-01T11:55:00.000Z to 2026-08-01T12:00:00.000Z");
  });
});

describe("downsample", () => {
  it("keeps the first and last items and at most max", () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const out = downsample(items, 60);
    expect(out).toHaveLength(60);
    expect(out[0]).toBe(0);
    expect(out.at(-1)).toBe(999);
    expect(downsample([1, 2, 3], 60)).toEqual([1, 2, 3]);
  });
});
