import type { Database } from "../store/index.js";
import { queryHealthAggregates, queryMetricGains, queryNotableCycles } from "./health-queries.js";
import { emptyFigures, HEALTH_DEFINITIONS, healthFigures, metricGain, notableCycle, weekHealthSeries } from "./health.js";
import { lastIsoWeeks, type IsoWeek } from "./iso-week.js";
import type { WeekHealth, WeeklyReport } from "./schemas.js";

/** How many notable cycles a weekly report lists (the total is always given). */
export const NOTABLE_LIMIT = 100;

/** The loop's health for the `weeks` weeks ending with the one holding `now`, oldest first; weeks without cycles are zero. */
export async function loadHealth(db: Database, now: Date, weeks: number): Promise<WeekHealth[]> {
  const range = lastIsoWeeks(now, weeks);
  const rows = await queryHealthAggregates(db, range[0]!.start, range.at(-1)!.end, false);
  return weekHealthSeries(range, rows);
}

/** The weekly report of `week`: totals, per service, gains per metric and the notable cycles, read in one snapshot. */
export async function loadWeeklyReport(db: Database, week: IsoWeek, now: Date): Promise<WeeklyReport> {
  const { aggregates, gains, notable } = await db.withTransaction(async (client) => {
    // One snapshot, so that the totals, the breakdowns and the notable list agree with each other.
    await client.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    return {
      aggregates: await queryHealthAggregates(client, week.start, week.end, true),
      gains: await queryMetricGains(client, week.start, week.end),
      notable: await queryNotableCycles(client, week.start, week.end, NOTABLE_LIMIT),
    };
  });
  const total = aggregates.find((r) => Number(r.all_services) === 1);
  return {
    week: week.label,
    start: week.start.toISOString(),
    end: week.end.toISOString(),
    generated_at: now.toISOString(),
    totals: total ? healthFigures(total) : emptyFigures(),
    services: aggregates.filter((r) => Number(r.all_services) === 0).map((r) => ({ service: r.service, ...healthFigures(r) })),
    quality_by_metric: gains.map(metricGain),
    notable: { total: notable.total, cycles: notable.rows.map(notableCycle) },
    definitions: { ...HEALTH_DEFINITIONS },
  };
}
