import { cycleDay, formatCycleId } from "../../core/index.js";
import { jsonValue, toDateOrNull, toNumber, type Queryable } from "./rows.js";

/** Where a cycle is in its life. */
export type CycleStatus = "queued" | "running" | "awaiting_approval" | "completed" | "failed";

/** A cycle as stored. */
export interface CycleRow {
  id: string;
  status: CycleStatus;
  environment: string;
  /** Null when the alert named no known service. */
  service: string | null;
  /** Null when the alert matched no signal of the trigger contract. */
  signal: string | null;
  /** What started the cycle: an AlertTrigger for alerts, the caller's object for manual starts. */
  trigger: Record<string, unknown>;
  alertCount: number;
  createdAt: Date;
  startedAt: Date | null;
  updatedAt: Date;
  finishedAt: Date | null;
  outcome: string | null;
  report: unknown;
  error: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  /** What to resume the graph with after an approval (set by queueResume). */
  resume: unknown;
  attempts: number;
  pendingApprovalId: string | null;
}

/** The trigger of a cycle an alert started. */
export interface AlertTrigger {
  signal: string | null;
  service: string | null;
  environment: string;
  alertname: string | null;
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  value: number | null;
  baseline: number | null;
  starts_at: string;
}

/** A new cycle's fields. */
export interface NewCycle {
  environment: string;
  service: string | null;
  signal: string | null;
  trigger: Record<string, unknown>;
  alertCount: number;
  now: Date;
}

/** Maps a `cycles` row. */
export function toCycleRow(r: Record<string, unknown>): CycleRow {
  return {
    id: r.id as string,
    status: r.status as CycleStatus,
    environment: r.environment as string,
    service: (r.service as string | null) ?? null,
    signal: (r.signal as string | null) ?? null,
    trigger: (r.trigger as Record<string, unknown>) ?? {},
    alertCount: toNumber(r.alert_count),
    createdAt: new Date(r.created_at as Date),
    startedAt: toDateOrNull(r.started_at),
    updatedAt: new Date(r.updated_at as Date),
    finishedAt: toDateOrNull(r.finished_at),
    outcome: (r.outcome as string | null) ?? null,
    report: r.report ?? null,
    error: (r.error as string | null) ?? null,
    leaseOwner: (r.lease_owner as string | null) ?? null,
    leaseExpiresAt: toDateOrNull(r.lease_expires_at),
    resume: r.resume ?? null,
    attempts: toNumber(r.attempts),
    pendingApprovalId: (r.pending_approval_id as string | null) ?? null,
  };
}

/**
 * The next cycle id of `now`'s UTC day. The upsert locks the day's counter row until the
 * transaction ends, so concurrent allocations are serialised and never repeat a number.
 */
export async function allocateCycleId(client: Queryable, now: Date): Promise<string> {
  const day = cycleDay(now);
  const r = await client.query<{ n: number }>(
    "INSERT INTO cycle_counters (day, n) VALUES ($1, 1) ON CONFLICT (day) DO UPDATE SET n = cycle_counters.n + 1 RETURNING n",
    [day],
  );
  return formatCycleId(day, toNumber(r.rows[0]?.n));
}

/** Inserts a queued cycle with a fresh id; call inside a transaction. */
export async function insertCycle(client: Queryable, cycle: NewCycle): Promise<CycleRow> {
  const id = await allocateCycleId(client, cycle.now);
  const r = await client.query(
    `INSERT INTO cycles (id, status, environment, service, signal, trigger, alert_count, created_at, updated_at)
     VALUES ($1, 'queued', $2, $3, $4, $5::jsonb, $6, $7, $7) RETURNING *`,
    [id, cycle.environment, cycle.service, cycle.signal, jsonValue(cycle.trigger), cycle.alertCount, cycle.now],
  );
  return toCycleRow(r.rows[0] as Record<string, unknown>);
}
