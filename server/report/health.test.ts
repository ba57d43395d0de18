import { describe, expect, it } from "vitest";
import { emptyFigures, healthFigures, metricGain, notableCycle, weekHealthSeries, type HealthAggregateRow, type NotableCycleRow } from "./health.js";
import { lastIsoWeeks } from "./iso-week.js";

/** An aggregate row as pg returns it: bigint counts and sums as strings, floats as numbers. */
function aggregate(over: Partial<HealthAggregateRow> = {}): HealthAggregateRow {
  return {
    week_start: new Date("2026-11-16T00:00:00Z"),
    service: null,
    all_services: 1,
    cycles: "10",
    promoted: "4",
    rolled_back: "2",
    escalated: "1",
    no_action: "1",
    queued: "0",
    running: "1",
    awaiting_approval: "0",
    completed: "8",
    failed: "1",
    succeeded: "5",
    timed: "9",
    mean_seconds: 5400.04,
    p50_seconds: 3600,
    p90_seconds: 10799.96,
    automatic_rollbacks: "1",
    quality_measured: "3",
    quality_mean: 0.097433,
    cost_measured: "1",
    cost_before: 0.91789,
    cost_after: 0.52937,
    cost_relative: 0.42327,
    spend_usd: 1.2345678,
    model_calls: "170",
    input_tokens: "378497",
    output_tokens: "9205",
    ...over,
  };
}

describe("healthFigures", () => {
  it("counts finished cycles as completed + failed and the success rate as (promoted + no_action) over them", () => {
    const f = healthFigures(aggregate());
    expect(f.finished).toBe(9);
    expect(f.success_rate).toBe(0.5556);
    expect(f.cycles).toBe(10);
    expect(f.outcomes).toEqual({ promoted: 4, rolled_back: 2, escalated: 1, no_action: 1 });
    expect(f.statuses).toEqual({ queued: 0, running: 1, awaiting_approval: 0, completed: 8, failed: 1 });
    expect(f.rollbacks).toEqual({ total: 2, automatic: 1 });
  });

  it("rounds seconds to a tenth, ratios to four places and dollars to the micro-dollar", () => {
    const f = healthFigures(aggregate());
    expect(f.cycle_time).toEqual({ measured: 9, mean_seconds: 5400, p50_seconds: 3600, p90_seconds: 10800 });
    expect(f.quality_gain).toEqual({ measured: 3, mean_relative: 0.0974 });
    expect(f.cost_saving).toEqual({ measured: 1, mean_budget_share_before: 0.9179, mean_budget_share_after: 0.5294, mean_relative: 0.4233 });
    expect(f.model_spend).toEqual({ usd: 1.234568, model_calls: 170, input_tokens: 378497, output_tokens: 9205 });
  });

  it("says null, not zero, for what nothing measured", () => {
    const f = healthFigures(
      aggregate({ completed: "0", failed: "0", succeeded: "0", timed: "0", mean_seconds: null, p50_seconds: null, p90_seconds: null, quality_measured: "0", quality_mean: null, cost_measured: "0", cost_before: null, cost_after: null, cost_relative: null, spend_usd: null, model_calls: null }),
    );
    expect(f.success_rate).toBeNull();
    expect(f.cycle_time).toEqual({ measured: 0, mean_seconds: null, p50_seconds: null, p90_seconds: null });
    expect(f.quality_gain.mean_relative).toBeNull();
    expect(f.cost_saving.mean_relative).toBeNull();
    expect(f.model_spend.usd).toBe(0);
    expect(f.model_spend.model_calls).toBe(0);
  });

  it("keeps a loss as a negative gain", () => {
    expect(healthFigures(aggregate({ quality_mean: -0.0213 })).quality_gain.mean_relative).toBe(-0.0213);
  });
});

describe("weekHealthSeries", () => {
  const weeks = lastIsoWeeks(new Date("2026-11-25T12:00:00Z"), 3);

  it("gives every requested week in order, zero where no cycle was created, and ignores per-service rows", () => {
    const rows = [aggregate(), aggregate({ all_services: 0, service: "search", cycles: "7" })];
    const series = weekHealthSeries(weeks, rows);
    expect(series.map((w) => [w.week, w.cycles])).toEqual([
      ["2026-W46", 0],
      ["2026-W47", 10],
      ["2026-W48", 0],
    ]);
    expect(series[0]).toEqual({ week: "2026-W46", start: "2026-11-09T00:00:00.000Z", end: "2026-11-16T00:00:00.000Z", ...emptyFigures() });
  });

  it("matches a week whose start pg returned as a string", () => {
    const series = weekHealthSeries(weeks, [aggregate({ week_start: "2026-11-23T00:00:00.000Z" as unknown as Date, all_services: "1", cycles: "3" })]);
    expect(series.map((w) => w.cycles)).toEqual([0, 0, 3]);
  });
});

describe("metricGain", () => {
  it("rounds and counts", () => {
    expect(metricGain({ metric: "ndcg_at_10", cycles: "2", mean_gain: 0.03275912, mean_relative_gain: 0.048712 })).toEqual({ metric: "ndcg_at_10", cycles: 2, mean_gain: 0.032759, mean_relative_gain: 0.0487 });
  });
});

describe("notableCycle", () => {
  const base: NotableCycleRow = {
    id: "si_2026_11_20_001",
    status: "completed",
    outcome: "escalated",
    service: "search",
    signal: "ndcg_drop",
    automatic_rollback: false,
    outcome_reason: "rollback did not complete",
    error: null,
    failure: { step: "rollback", tool: "mlflow_set_model_alias", system: "mlflow", code: "upstream_server_error", message: "500" } as NotableCycleRow["failure"],
    created_at: new Date("2026-11-20T08:20:00Z"),
    finished_at: new Date("2026-11-20T10:00:00Z"),
  };

  it("keeps an escalation's reason and the tool error it stopped on", () => {
    expect(notableCycle(base)).toEqual({
      id: "si_2026_11_20_001",
      kind: "escalated",
      service: "search",
      signal: "ndcg_drop",
      automatic_rollback: null,
      reason: "rollback did not complete",
      failure: { step: "rollback", tool: "mlflow_set_model_alias", system: "mlflow", code: "upstream_server_error" },
      created_at: "2026-11-20T08:20:00.000Z",
      finished_at: "2026-11-20T10:00:00.000Z",
    });
  });

  it("says whether a rollback was automatic", () => {
    expect(notableCycle({ ...base, outcome: "rolled_back", automatic_rollback: true, failure: null })).toMatchObject({ kind: "rolled_back", automatic_rollback: true, failure: null });
    expect(notableCycle({ ...base, outcome: "rolled_back", automatic_rollback: false, failure: null }).automatic_rollback).toBe(false);
  });

  it("gives a failed cycle's error as its reason, and a placeholder when nothing was recorded", () => {
    expect(notableCycle({ ...base, status: "failed", outcome: null, error: "graph crashed", outcome_reason: null, failure: null, finished_at: null })).toMatchObject({ kind: "failed", reason: "graph crashed", finished_at: null });
    expect(notableCycle({ ...base, outcome_reason: "  ", failure: { step: "promote" } }).reason).toBe("(no reason recorded)");
    expect(notableCycle({ ...base, failure: { step: "promote" } }).failure).toBeNull();
  });
});
