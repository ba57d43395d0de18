import { PHASE_STEPS, type Signal } from "../../core/index.js";
import type { HealthAggregateRow, MetricGainRow, NotableCycleRow } from "./health.js";

/** Gate rules whose metric is better higher, and better lower: how the sign of a gain is read. */
const HIGHER_IS_BETTER_RULES = ["relative_gain", "no_loss"];
const LOWER_IS_BETTER_RULES = ["max_relative_rise_vs_baseline", "within_budget"];
/** The signal whose cycles save cost. */
const COST_SIGNAL: Signal = "cost";
/** The steps of the rollback phase: an approval answered from the first of them on approved the rollback. */
const ROLLBACK_STEPS: string[] = [...PHASE_STEPS.rollback];

/** A JSON number at `path` as float8, or null when it is missing or not a number (old or odd reports never break the query). */
const num = (path: string) => `CASE WHEN jsonb_typeof(${path}) = 'number' THEN (${path})::float8 END`;
const array = (path: string) => `CASE WHEN jsonb_typeof(${path}) = 'array' THEN ${path} ELSE '[]'::jsonb END`;
const ISO_INSTANT = `'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)$'`;

/**
 * One row per cycle created in [$1, $2) with the few facts the health needs, read from the report
 * in SQL so that no report leaves the database. Parameters: $1 start, $2 end, $3 rollback steps,
 * $4 and $5 the gate rules whose metric is better higher and lower, $6 the cost signal.
 */
const PER_CYCLE = `
WITH base AS (
  -- jsonb_to_record reads each report once for all the parts the health needs (one decompression,
  -- and nothing copied of its actions or artifacts). Only a completed cycle has a report, always an
  -- object (graphs/report.ts).
  SELECT c.id, c.created_at, c.service, c.signal, c.status, c.outcome, c.started_at, c.finished_at, c.error,
    r."timestamp" AS report_start, r.finished_at AS report_end, r.outcome_reason, r.failure, r.approvals, r.steps, r.findings, r.usage
  FROM cycles c
  LEFT JOIN LATERAL jsonb_to_record(CASE WHEN c.status = 'completed' THEN c.report END)
    AS r("timestamp" text, finished_at text, outcome_reason text, failure jsonb, approvals jsonb, steps jsonb, findings jsonb, usage jsonb) ON true
  WHERE c.created_at >= $1 AND c.created_at < $2
),
-- Materialized so that what is grouped and sorted afterwards is these scalars, not the reports' parts.
per_cycle AS MATERIALIZED (
  SELECT b.id, b.created_at, b.service, b.signal, b.status, b.outcome, b.finished_at, b.error,
    b.outcome_reason,
    CASE WHEN jsonb_typeof(b.failure) = 'object' THEN b.failure END AS failure,
    date_trunc('week', b.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS week_start,
    CASE
      WHEN b.status = 'completed' AND b.report_start ~ ${ISO_INSTANT} AND b.report_end ~ ${ISO_INSTANT}
        THEN extract(epoch FROM b.report_end::timestamptz - b.report_start::timestamptz)::float8
      WHEN b.status IN ('completed', 'failed') THEN extract(epoch FROM b.finished_at - b.started_at)::float8
    END AS seconds,
    -- An approval names its step when the report records it; otherwise its time places it.
    b.outcome = 'rolled_back' AND NOT EXISTS (
      SELECT 1 FROM jsonb_array_elements(${array("b.approvals")}) a
      WHERE a->>'status' = 'approved' AND CASE WHEN a ? 'step' THEN a->>'step' = ANY($3::text[])
        ELSE a->>'at' >= (SELECT min(s->>'started_at') FROM jsonb_array_elements(${array("b.steps")}) s WHERE s->>'step' = ANY($3::text[])) END
    ) AS automatic_rollback,
    g.metric AS gain_metric, g.gain, CASE WHEN g.champion <> 0 THEN g.gain / abs(g.champion) END AS gain_relative,
    k.before AS cost_before, k.after AS cost_after, CASE WHEN k.before > 0 THEN (k.before - k.after) / k.before END AS cost_relative,
    ${num("b.usage->'costUsd'")} AS spend_usd,
    ${num("b.usage->'modelCalls'")} AS model_calls,
    ${num("b.usage->'inputTokens'")} AS input_tokens,
    ${num("b.usage->'outputTokens'")} AS output_tokens
  FROM base b
  -- The first gate check on a metric both models were measured on: the gated metric.
  LEFT JOIN LATERAL (
    SELECT m.metric, m.champion, m.sign * (m.candidate - m.champion) AS gain
    FROM (
      SELECT x.chk->>'metric' AS metric, x.i,
        CASE WHEN x.chk->>'rule' = ANY($5::text[]) THEN -1 ELSE 1 END AS sign,
        (e.ev->'candidate'->'metrics'->(x.chk->>'metric'))::float8 AS candidate,
        (e.ev->'champion'->'metrics'->(x.chk->>'metric'))::float8 AS champion
      FROM (SELECT b.findings->'evaluation' AS ev) e,
        jsonb_array_elements(${array("e.ev->'checks'")}) WITH ORDINALITY x(chk, i)
      WHERE b.outcome = 'promoted'
        AND (x.chk->>'rule' = ANY($4::text[]) OR x.chk->>'rule' = ANY($5::text[]))
        AND jsonb_typeof(e.ev->'candidate'->'metrics'->(x.chk->>'metric')) = 'number'
        AND jsonb_typeof(e.ev->'champion'->'metrics'->(x.chk->>'metric')) = 'number'
    ) m ORDER BY m.i LIMIT 1
  ) g ON true
  -- The cost signal when the cycle started, and at the end of the post-deploy watch.
  LEFT JOIN LATERAL (
    SELECT (f.f->'monitor'->'value')::float8 AS before, (f.f->'watch'->'final'->(f.f->'monitor'->>'metric'))::float8 AS after
    FROM (SELECT b.findings AS f) f
    WHERE b.outcome = 'promoted' AND b.signal = $6
      AND jsonb_typeof(f.f->'monitor'->'value') = 'number'
      AND jsonb_typeof(f.f->'watch'->'final'->(f.f->'monitor'->>'metric')) = 'number'
  ) k ON true
)`;

const FIGURES = `
  count(*) AS cycles,
  count(*) FILTER (WHERE outcome = 'promoted') AS promoted,
  count(*) FILTER (WHERE outcome = 'rolled_back') AS rolled_back,
  count(*) FILTER (WHERE outcome = 'escalated') AS escalated,
  count(*) FILTER (WHERE outcome = 'no_action') AS no_action,
  count(*) FILTER (WHERE status = 'queued') AS queued,
  count(*) FILTER (WHERE status = 'running') AS running,
  count(*) FILTER (WHERE status = 'awaiting_approval') AS awaiting_approval,
  count(*) FILTER (WHERE status = 'completed') AS completed,
  count(*) FILTER (WHERE status = 'failed') AS failed,
  count(*) FILTER (WHERE status = 'completed' AND outcome IN ('promoted', 'no_action')) AS succeeded,
  count(seconds) AS timed,
  avg(seconds) AS mean_seconds,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS p50_seconds,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) AS p90_seconds,
  count(*) FILTER (WHERE automatic_rollback) AS automatic_rollbacks,
  count(gain_relative) AS quality_measured,
  avg(gain_relative) AS quality_mean,
  count(cost_relative) AS cost_measured,
  avg(cost_before) FILTER (WHERE cost_relative IS NOT NULL) AS cost_before,
  avg(cost_after) FILTER (WHERE cost_relative IS NOT NULL) AS cost_after,
  avg(cost_relative) AS cost_relative,
  coalesce(sum(spend_usd), 0) AS spend_usd,
  coalesce(sum(model_calls), 0) AS model_calls,
  coalesce(sum(input_tokens), 0) AS input_tokens,
  coalesce(sum(output_tokens), 0) AS output_tokens`;

const params = (start: Date, end: Date) => [start, end, ROLLBACK_STEPS, HIGHER_IS_BETTER_RULES, LOWER_IS_BETTER_RULES, COST_SIGNAL];

/** Something that runs a statement: the database, or a client inside a transaction. */
type Queryable = { query(text: string, params: unknown[]): Promise<{ rows: unknown[] }> };

/** The figures per week of [start, end): one row per week, and with `byService` one more per service of each week. */
export async function queryHealthAggregates(db: Queryable, start: Date, end: Date, byService: boolean): Promise<HealthAggregateRow[]> {
  const grouping = byService ? "service, GROUPING(service) AS all_services" : "NULL::text AS service, 1 AS all_services";
  const groups = byService ? "GROUPING SETS ((week_start), (week_start, service))" : "week_start";
  const r = await db.query(`${PER_CYCLE} SELECT week_start, ${grouping}, ${FIGURES} FROM per_cycle GROUP BY ${groups} ORDER BY week_start, 3 DESC, service NULLS LAST`, params(start, end));
  return r.rows as HealthAggregateRow[];
}

/** The gain of promoted cycles of [start, end) per gated metric. */
export async function queryMetricGains(db: Queryable, start: Date, end: Date): Promise<MetricGainRow[]> {
  const r = await db.query(
    `${PER_CYCLE} SELECT gain_metric AS metric, count(*) AS cycles, avg(gain) AS mean_gain, avg(gain_relative) AS mean_relative_gain
     FROM per_cycle WHERE gain_metric IS NOT NULL GROUP BY gain_metric ORDER BY gain_metric`,
    params(start, end),
  );
  return r.rows as MetricGainRow[];
}

/** Escalated, rolled-back and failed cycles of [start, end), oldest first, at most `limit`, with how many there are in all. */
export async function queryNotableCycles(db: Queryable, start: Date, end: Date, limit: number): Promise<{ total: number; rows: NotableCycleRow[] }> {
  const r = await db.query(
    `${PER_CYCLE} SELECT id, status, outcome, service, signal, automatic_rollback, outcome_reason, error, failure, created_at, finished_at, count(*) OVER () AS total
     FROM per_cycle WHERE outcome IN ('escalated', 'rolled_back') OR status = 'failed' ORDER BY created_at, id LIMIT $7`,
    [...params(start, end), limit],
  );
  const rows = r.rows as Array<NotableCycleRow & { total: string | number }>;
  return { total: Number(rows[0]?.total ?? 0), rows };
}
