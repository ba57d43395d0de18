import { z } from "zod";

/**
 * The loop's health as the API returns it and the CLI prints it. Every figure that could not be
 * measured (no finished cycle, no promoted cycle with a gated metric...) is null, never zero.
 */
const Count = z.number().int().min(0);
const Ratio = z.number().nullable();

/** The numbers of one set of cycles (a week, or one service's cycles in a week). */
export const HealthFiguresSchema = z.object({
  cycles: Count.describe("cycles created in the period"),
  outcomes: z.object({ promoted: Count, rolled_back: Count, escalated: Count, no_action: Count }).describe("completed cycles by how they ended"),
  statuses: z.object({ queued: Count, running: Count, awaiting_approval: Count, completed: Count, failed: Count }).describe("cycles by where they are now"),
  finished: Count.describe("completed + failed"),
  success_rate: Ratio.describe("(promoted + no_action) / finished; null without a finished cycle"),
  cycle_time: z
    .object({ measured: Count, mean_seconds: Ratio, p50_seconds: Ratio, p90_seconds: Ratio })
    .describe("start to end of finished cycles on the cycle's own clock, approval waits, A/B tests and watches included"),
  rollbacks: z.object({ total: Count, automatic: Count.describe("rolled back with no human approving a rollback call") }),
  quality_gain: z
    .object({ measured: Count, mean_relative: Ratio })
    .describe("per promoted cycle: the gated metric of the promoted candidate against the champion's, +0.05 = 5% better"),
  cost_saving: z
    .object({
      measured: Count,
      mean_budget_share_before: Ratio.describe("the cost signal (share of the budget) when the cycle started"),
      mean_budget_share_after: Ratio.describe("the same at the end of the post-deploy watch"),
      mean_relative: Ratio.describe("(before - after) / before; dollars are not measured"),
    })
    .describe("per promoted cost-signal cycle"),
  model_spend: z.object({ usd: z.number(), model_calls: Count, input_tokens: Count, output_tokens: Count }).describe("what the cycles' model calls cost"),
});
/** The numbers of one set of cycles. */
export type HealthFigures = z.infer<typeof HealthFiguresSchema>;

/** One week of the loop's health. */
export const WeekHealthSchema = z
  .object({
    week: z.string().describe("ISO week, YYYY-Www"),
    start: z.string().describe("Monday 00:00 UTC"),
    end: z.string().describe("the next Monday 00:00 UTC"),
  })
  .extend(HealthFiguresSchema.shape);
/** One week of the loop's health. */
export type WeekHealth = z.infer<typeof WeekHealthSchema>;

/** One service's week. */
export const ServiceHealthSchema = z.object({ service: z.string().nullable().describe("null for cycles whose alert named no known service") }).extend(HealthFiguresSchema.shape);
/** One service's week. */
export type ServiceHealth = z.infer<typeof ServiceHealthSchema>;

/** The gain of promoted cycles on one gated metric. */
export const MetricGainSchema = z.object({
  metric: z.string(),
  cycles: Count,
  mean_gain: z.number().describe("in the metric's unit, positive = better"),
  mean_relative_gain: Ratio,
});
/** The gain of promoted cycles on one gated metric. */
export type MetricGain = z.infer<typeof MetricGainSchema>;

/** An escalated, rolled-back or failed cycle, with why. */
export const NotableCycleSchema = z.object({
  id: z.string(),
  kind: z.enum(["escalated", "rolled_back", "failed"]),
  service: z.string().nullable(),
  signal: z.string().nullable(),
  automatic_rollback: z.boolean().nullable().describe("for a rollback: whether the loop rolled back without a human's approval"),
  reason: z.string().describe("the report's outcome reason, or the error of a failed cycle"),
  failure: z.object({ step: z.string(), tool: z.string(), system: z.string().nullable(), code: z.string() }).nullable().describe("the tool error an escalation stopped on"),
  created_at: z.string(),
  finished_at: z.string().nullable(),
});
/** An escalated, rolled-back or failed cycle. */
export type NotableCycle = z.infer<typeof NotableCycleSchema>;

/** The weekly report: the week's totals, per service, gains per metric, and the cycles a human should read. */
export const WeeklyReportSchema = z.object({
  week: z.string(),
  start: z.string(),
  end: z.string(),
  generated_at: z.string(),
  totals: HealthFiguresSchema,
  services: z.array(ServiceHealthSchema),
  quality_by_metric: z.array(MetricGainSchema),
  notable: z.object({ total: Count, cycles: z.array(NotableCycleSchema).describe("oldest first, at most 100") }),
  definitions: z.record(z.string(), z.string()).describe("how each figure is counted"),
});
/** The weekly report. */
export type WeeklyReport = z.infer<typeof WeeklyReportSchema>;
