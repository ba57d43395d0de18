import { describe, expect, it } from "vitest";
import { emptyFigures, HEALTH_DEFINITIONS } from "./health.js";
import { formatDuration, formatPercent, formatUsd, renderWeeklyMarkdown } from "./markdown.js";
import type { HealthFigures, WeeklyReport } from "./schemas.js";

const figures: HealthFigures = {
  cycles: 7,
  outcomes: { promoted: 3, rolled_back: 2, escalated: 1, no_action: 0 },
  statuses: { queued: 0, running: 0, awaiting_approval: 1, completed: 6, failed: 0 },
  finished: 6,
  success_rate: 0.5,
  cycle_time: { measured: 6, mean_seconds: 6814.3, p50_seconds: 7201.5, p90_seconds: 10803 },
  rollbacks: { total: 2, automatic: 1 },
  quality_gain: { measured: 3, mean_relative: 0.2547 },
  cost_saving: { measured: 1, mean_budget_share_before: 0.9179, mean_budget_share_after: 0.5294, mean_relative: 0.4233 },
  model_spend: { usd: 0.0042, model_calls: 170, input_tokens: 378497, output_tokens: 9205 },
};

const report: WeeklyReport = {
  week: "2026-W47",
  start: "2026-11-16T00:00:00.000Z",
  end: "2026-11-23T00:00:00.000Z",
  generated_at: "2026-11-21T07:10:34.332Z",
  totals: figures,
  services: [
    { service: "search", ...figures, cycles: 6 },
    { service: null, ...emptyFigures(), cycles: 1, statuses: { ...emptyFigures().statuses, awaiting_approval: 1 } },
  ],
  quality_by_metric: [
    { metric: "latency_p95", cycles: 1, mean_gain: 0.586984, mean_relative_gain: 0.6667 },
    { metric: "ndcg_at_10", cycles: 2, mean_gain: 0.032759, mean_relative_gain: 0.0487 },
  ],
  notable: {
    total: 4,
    cycles: [
      { id: "si_2026_11_20_001", kind: "rolled_back", service: "search", signal: "ndcg_drop", automatic_rollback: true, reason: "Rolled back after the deploy degraded.", failure: null, created_at: "2026-11-20T08:20:00.000Z", finished_at: "2026-11-20T09:41:17.000Z" },
      { id: "si_2026_11_20_002", kind: "rolled_back", service: "search", signal: "ndcg_drop", automatic_rollback: false, reason: "Rolled back after the deploy degraded.", failure: null, created_at: "2026-11-20T09:20:00.000Z", finished_at: null },
      {
        id: "si_2026_11_21_001",
        kind: "escalated",
        service: "search",
        signal: "ndcg_drop",
        automatic_rollback: null,
        reason: "rollback did not complete | the rollback\nneeds a human",
        failure: { step: "rollback", tool: "mlflow_set_model_alias", system: "mlflow", code: "upstream_server_error" },
        created_at: "2026-11-21T08:20:00.000Z",
        finished_at: "2026-11-21T09:00:00.000Z",
      },
    ],
  },
  definitions: { ...HEALTH_DEFINITIONS },
};

describe("renderWeeklyMarkdown", () => {
  const md = renderWeeklyMarkdown(report);
  const lines = md.split("\n");

  it("opens with the week, its days and when it was generated", () => {
    expect(lines[0]).toBe("# Autopilot weekly report: 2026-W47");
    expect(lines[2]).toBe("2026-11-16 to 2026-11-22 (UTC), generated 2026-11-21 07:10 UTC.");
    expect(lines.filter((l) => l.startsWith("## "))).toEqual(["## Summary", "## By service", "## Quality gained by gated metric", "## Notable cycles", "## How these are counted"]);
  });

  it("states every summary figure with what it was measured on", () => {
    expect(lines).toContain("| Cycles | 7 (6 finished, 1 active) |");
    expect(lines).toContain("| Outcomes | 3 promoted, 2 rolled back, 1 escalated, 0 no action, 0 failed |");
    expect(lines).toContain("| Success rate | 50.0% (3 of 6 finished cycles) |");
    expect(lines).toContain("| Cycle time | mean 1h 53m, p50 2h 0m, p90 3h 0m (6 cycles) |");
    expect(lines).toContain("| Automatic rollbacks | 1 of 2 rollbacks |");
    expect(lines).toContain("| Quality gained per promoted cycle | +25.5% on the gated metric (3 cycles measured) |");
    expect(lines).toContain("| Cost saved per promoted cost cycle | +42.3% (budget share 91.8% -> 52.9%, 1 cycle measured); in dollars: not measured |");
    expect(lines).toContain("| Model spend | $0.0042 (170 model calls, 378,497 input and 9,205 output tokens) |");
  });

  it("has a row per service, a dash for what was not measured, and the unknown service named", () => {
    expect(lines).toContain("| search | 6 | 3 | 2 (1 automatic) | 1 | 0 | 0 | 1 | 50.0% | 1h 53m | +25.5% | +42.3% | $0.0042 |");
    expect(lines).toContain("| (no service) | 1 | 0 | 0 | 0 | 0 | 0 | 1 | — | — | — | — | $0.00 |");
  });

  it("gives the gain per gated metric with its sign", () => {
    expect(lines).toContain("| latency_p95 | 1 | +0.587 | +66.7% |");
    expect(lines).toContain("| ndcg_at_10 | 2 | +0.03276 | +4.9% |");
  });

  it("lists notable cycles with why, keeps a pipe or a line break in a reason inside its cell, and says how many are not listed", () => {
    expect(lines).toContain("| si_2026_11_20_001 | rolled back (automatic) | search | ndcg_drop | Rolled back after the deploy degraded. |");
    expect(lines).toContain("| si_2026_11_20_002 | rolled back (approved by a human) | search | ndcg_drop | Rolled back after the deploy degraded. |");
    expect(lines).toContain(
      "| si_2026_11_21_001 | escalated | search | ndcg_drop | rollback did not complete \\| the rollback needs a human (stopped at rollback: mlflow_set_model_alias, mlflow upstream_server_error) |",
    );
    expect(lines).toContain("1 more not listed; `npx autopilot cycles` lists them all.");
  });

  it("ends with how each figure is counted", () => {
    expect(lines).toContain(`- **Success rate**: ${HEALTH_DEFINITIONS.success_rate}`);
    expect(md).toContain("- **Cost saved**: Promoted cycles of the cost signal only");
  });

  it("says plainly what an empty week did not measure", () => {
    const empty = renderWeeklyMarkdown({ ...report, totals: emptyFigures(), services: [], quality_by_metric: [], notable: { total: 0, cycles: [] } }).split("\n");
    expect(empty).toContain("| Success rate | not measured (no finished cycle) |");
    expect(empty).toContain("| Cycle time | not measured (no finished cycle) |");
    expect(empty).toContain("| Quality gained per promoted cycle | not measured (no promoted cycle with a gated metric) |");
    expect(empty).toContain("| Cost saved per promoted cost cycle | not measured (no promoted cost cycle) |");
    expect(empty).toContain("No cycle this week.");
    expect(empty).toContain("None: no cycle escalated, rolled back or failed.");
  });
});

describe("formatting", () => {
  it("shows durations in their two largest units", () => {
    expect([0, 59.6, 60, 3599, 3600, 6814.3, 90_061].map(formatDuration)).toEqual(["0s", "1m 0s", "1m 0s", "59m 59s", "1h 0m", "1h 53m", "1d 1h"]);
  });

  it("shows percentages signed on demand and dollars with cents or two digits under a cent", () => {
    expect([formatPercent(0.0487, true), formatPercent(-0.02, true), formatPercent(0.5)]).toEqual(["+4.9%", "-2.0%", "50.0%"]);
    expect([formatUsd(0), formatUsd(0.000123), formatUsd(12.345)]).toEqual(["$0.00", "$0.00012", "$12.35"]);
  });
});
