import type { IsoWeek } from "./iso-week.js";
import type { HealthFigures, MetricGain, NotableCycle, WeekHealth } from "./schemas.js";

/** How each figure of the loop's health is counted (shown in the weekly report and its markdown). */
export const HEALTH_DEFINITIONS = {
  week: "A cycle belongs to the ISO week (UTC) in which it was created, whatever its status now.",
  success_rate:
    "Finished cycles (completed or failed) that ended promoted or no_action, over all finished cycles. A rollback, an escalation or a crash is not a success, even when it was the right call: it means the loop could not fix the signal on its own.",
  cycle_time:
    "From the cycle's start to its end on the cycle's own clock (the report's timestamp and finished_at), waits for approvals, A/B tests and post-deploy watches included; a failed cycle, which has no report, counts started_at to finished_at. Active cycles are not timed.",
  automatic_rollbacks: "Cycles that ended rolled_back with no approved approval answered from the rollback step on: the loop rolled back by itself (auto_rollback on).",
  quality_gain:
    "Promoted cycles only: the first gated metric of the quality gate (relative_gain, no_loss, max_relative_rise_vs_baseline or within_budget) that both the candidate and the champion were measured on, as (candidate - champion) / |champion|, sign turned so that better is positive (lower latency is a gain). It is the offline evaluation the gate decided on, not a live measurement. A rolled-back candidate gained nothing: the champion serves again.",
  cost_saving:
    "Promoted cycles of the cost signal only: the cost signal (spend as a share of the budget) from the monitor finding when the cycle started, against its value at the end of the post-deploy watch, as (before - after) / before. The findings record no dollar amounts, so dollars saved are not measured.",
  model_spend: "The cost the cycle reports recorded for their model calls (0 with the runbook model), and their calls and tokens.",
} as const;

/** One row of the aggregate query: counts as pg returns them (bigint as strings), means and percentiles as floats or null. */
export interface HealthAggregateRow {
  week_start: Date;
  service: string | null;
  /** 1 on the row of all services of the week (GROUPING), 0 on a service's row. */
  all_services: number | string;
  cycles: number | string;
  promoted: number | string;
  rolled_back: number | string;
  escalated: number | string;
  no_action: number | string;
  queued: number | string;
  running: number | string;
  awaiting_approval: number | string;
  completed: number | string;
  failed: number | string;
  succeeded: number | string;
  timed: number | string;
  mean_seconds: number | null;
  p50_seconds: number | null;
  p90_seconds: number | null;
  automatic_rollbacks: number | string;
  quality_measured: number | string;
  quality_mean: number | null;
  cost_measured: number | string;
  cost_before: number | null;
  cost_after: number | null;
  cost_relative: number | null;
  spend_usd: number | string | null;
  model_calls: number | string | null;
  input_tokens: number | string | null;
  output_tokens: number | string | null;
}

const round = (value: number | null | undefined, digits: number): number | null => {
  if (value === null || value === undefined || !Number.isFinite(Number(value))) return null;
  const f = 10 ** digits;
  return Math.round(Number(value) * f) / f;
};
// pg returns bigint counts and sums as strings.
const count = (value: unknown) => (value === null || value === undefined ? 0 : Number(value));

/** The figures of one aggregate row. */
export function healthFigures(row: HealthAggregateRow): HealthFigures {
  const completed = count(row.completed);
  const failed = count(row.failed);
  const finished = completed + failed;
  return {
    cycles: count(row.cycles),
    outcomes: { promoted: count(row.promoted), rolled_back: count(row.rolled_back), escalated: count(row.escalated), no_action: count(row.no_action) },
    statuses: { queued: count(row.queued), running: count(row.running), awaiting_approval: count(row.awaiting_approval), completed, failed },
    finished,
    success_rate: finished > 0 ? round(count(row.succeeded) / finished, 4) : null,
    cycle_time: { measured: count(row.timed), mean_seconds: round(row.mean_seconds, 1), p50_seconds: round(row.p50_seconds, 1), p90_seconds: round(row.p90_seconds, 1) },
    rollbacks: { total: count(row.rolled_back), automatic: count(row.automatic_rollbacks) },
    quality_gain: { measured: count(row.quality_measured), mean_relative: round(row.quality_mean, 4) },
    cost_saving: {
      measured: count(row.cost_measured),
      mean_budget_share_before: round(row.cost_before, 4),
      mean_budget_share_after: round(row.cost_after, 4),
      mean_relative: round(row.cost_relative, 4),
    },
    model_spend: { usd: round(Number(row.spend_usd ?? 0), 6) ?? 0, model_calls: count(row.model_calls), input_tokens: count(row.input_tokens), output_tokens: count(row.output_tokens) },
  };
}

/** The figures of a week without a cycle. */
export function emptyFigures(): HealthFigures {
  return {
    cycles: 0,
    outcomes: { promoted: 0, rolled_back: 0, escalated: 0, no_action: 0 },
    statuses: { queued: 0, running: 0, awaiting_approval: 0, completed: 0, failed: 0 },
    finished: 0,
    success_rate: null,
    cycle_time: { measured: 0, mean_seconds: null, p50_seconds: null, p90_seconds: null },
    rollbacks: { total: 0, automatic: 0 },
    quality_gain: { measured: 0, mean_relative: null },
    cost_saving: { measured: 0, mean_budget_share_before: null, mean_budget_share_after: null, mean_relative: null },
    model_spend: { usd: 0, model_calls: 0, input_tokens: 0, output_tokens: 0 },
  };
}

/** One row per requested week, in their order, zero-filled where no cycle was created (rows: the all-services rows). */
export function weekHealthSeries(weeks: IsoWeek[], rows: HealthAggregateRow[]): WeekHealth[] {
  const byStart = new Map(rows.filter((r) => count(r.all_services) === 1).map((r) => [new Date(r.week_start).getTime(), r]));
  return weeks.map((w) => {
    const row = byStart.get(w.start.getTime());
    return { week: w.label, start: w.start.toISOString(), end: w.end.toISOString(), ...(row ? healthFigures(row) : emptyFigures()) };
  });
}

/** A row of the per-metric gain query. */
export interface MetricGainRow {
  metric: string;
  cycles: number | string;
  mean_gain: number;
  mean_relative_gain: number | null;
}

/** The gain on one gated metric. */
export function metricGain(row: MetricGainRow): MetricGain {
  return { metric: row.metric, cycles: count(row.cycles), mean_gain: round(row.mean_gain, 6) ?? 0, mean_relative_gain: round(row.mean_relative_gain, 4) };
}

/** A row of the notable-cycles query. */
export interface NotableCycleRow {
  id: string;
  status: string;
  outcome: string | null;
  service: string | null;
  signal: string | null;
  automatic_rollback: boolean | null;
  outcome_reason: string | null;
  error: string | null;
  failure: { step?: unknown; tool?: unknown; system?: unknown; code?: unknown } | null;
  created_at: Date;
  finished_at: Date | null;
}

/** A notable cycle: what happened and why, in one line's worth of fields. */
export function notableCycle(row: NotableCycleRow): NotableCycle {
  const kind = row.status === "failed" ? "failed" : row.outcome === "rolled_back" ? "rolled_back" : "escalated";
  const f = row.failure;
  const text = (v: unknown) => (typeof v === "string" ? v : null);
  return {
    id: row.id,
    kind,
    service: row.service,
    signal: row.signal,
    automatic_rollback: kind === "rolled_back" ? row.automatic_rollback === true : null,
    reason: (kind === "failed" ? row.error : row.outcome_reason)?.trim() || "(no reason recorded)",
    failure: f && text(f.step) && text(f.tool) ? { step: text(f.step)!, tool: text(f.tool)!, system: text(f.system), code: text(f.code) ?? "unknown" } : null,
    created_at: new Date(row.created_at).toISOString(),
    finished_at: row.finished_at ? new Date(row.finished_at).toISOString() : null,
  };
}
