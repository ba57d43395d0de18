import type { Database } from "./db.js";
import { StoreError } from "./errors.js";
import { insertCycle, toCycleRow, type CycleRow, type CycleStatus } from "./cycle-rows.js";
import { ACTIVE_STATUS_SQL, jsonParam, toNumber } from "./rows.js";

/** A manual start of a cycle. */
export interface CreateCycleInput {
  environment: string;
  service: string | null;
  signal: string | null;
  trigger: Record<string, unknown>;
  now: Date;
}

/** A page of cycles, newest first. */
export interface ListCyclesInput {
  status?: CycleStatus;
  limit?: number;
  /** Id of the last cycle of the previous page. */
  before?: string;
}

/** The queue of cycles and the leases runners hold on them. */
export interface CyclesRepo {
  /** Starts a cycle by hand (same id allocation as alerts). */
  create(input: CreateCycleInput): Promise<CycleRow>;
  get(id: string): Promise<CycleRow | null>;
  list(input?: ListCyclesInput): Promise<CycleRow[]>;
  /** Takes the oldest queued cycle, or a running one whose lease expired, for `owner`. */
  claimNext(input: { owner: string; leaseMs: number; now: Date }): Promise<CycleRow | null>;
  /** Extends the lease; false once the cycle is not running under `owner` (an expired lease nobody re-claimed still is). */
  heartbeat(id: string, owner: string, leaseMs: number, now: Date): Promise<boolean>;
  /** Parks a running cycle until the approval is decided (clears the lease). */
  awaitApproval(id: string, owner: string, approvalId: string, now: Date): Promise<CycleRow>;
  /** Queues a parked cycle again with what the graph resumes with. */
  queueResume(id: string, resume: unknown, now: Date): Promise<CycleRow>;
  complete(id: string, owner: string, result: { outcome: string; report: unknown; now: Date }): Promise<CycleRow>;
  fail(id: string, owner: string, result: { error: string; now: Date }): Promise<CycleRow>;
  /** Cycles created at or after `since` (the daily budget counts them). */
  countCreatedSince(since: Date): Promise<number>;
  /** Active (queued, running, awaiting approval) cycles of a service, newest first. */
  activeForService(service: string | null, environment: string): Promise<CycleRow[]>;
}

/** The cycles repository. */
export function createCyclesRepo(db: Database): CyclesRepo {
  const one = async (text: string, params: unknown[]) => {
    const r = await db.query(text, params);
    return r.rows[0] ? toCycleRow(r.rows[0]) : null;
  };

  /** Runs a guarded update; when no row matched, says what state the cycle is really in. */
  const transition = async (id: string, action: string, code: string, text: string, params: unknown[]) => {
    const row = await one(text, params);
    if (row) return row;
    const current = await one("SELECT * FROM cycles WHERE id = $1", [id]);
    if (!current) throw new StoreError("store_not_found", `cannot ${action} cycle ${id}: no such cycle`);
    const holder = current.leaseOwner ? ` (lease held by ${current.leaseOwner})` : "";
    throw new StoreError(code, `cannot ${action} cycle ${id}: it is ${current.status}${holder}`, {
      details: { cycleId: id, status: current.status, leaseOwner: current.leaseOwner },
    });
  };

  const owned = "WHERE id = $1 AND status = 'running' AND lease_owner = $2";

  return {
    create: (input) => db.withTransaction((client) => insertCycle(client, { ...input, alertCount: 0 })),

    get: (id) => one("SELECT * FROM cycles WHERE id = $1", [id]),

    async list({ status, limit = 50, before } = {}) {
      const r = await db.query(
        `SELECT * FROM cycles
         WHERE ($1::text IS NULL OR status = $1)
           AND ($2::text IS NULL OR (created_at, id) < (SELECT created_at, id FROM cycles WHERE id = $2))
         ORDER BY created_at DESC, id DESC LIMIT $3`,
        [status ?? null, before ?? null, limit],
      );
      return r.rows.map(toCycleRow);
    },

    // SKIP LOCKED lets concurrent claimers pass over a row another claimer is taking.
    claimNext: ({ owner, leaseMs, now }) =>
      one(
        `WITH next AS (
           SELECT id FROM cycles
           WHERE status = 'queued' OR (status = 'running' AND lease_expires_at < $2)
           ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
         UPDATE cycles c SET status = 'running', lease_owner = $1, lease_expires_at = $3,
           started_at = COALESCE(c.started_at, $2), attempts = c.attempts + 1, updated_at = $2
         FROM next WHERE c.id = next.id RETURNING c.*`,
        [owner, now, new Date(now.getTime() + leaseMs)],
      ),

    async heartbeat(id, owner, leaseMs, now) {
      const r = await db.query(`UPDATE cycles SET lease_expires_at = $3, updated_at = $4 ${owned}`, [
        id,
        owner,
        new Date(now.getTime() + leaseMs),
        now,
      ]);
      return r.rowCount === 1;
    },

    awaitApproval: (id, owner, approvalId, now) =>
      transition(
        id,
        "park",
        "store_lease_lost",
        `UPDATE cycles SET status = 'awaiting_approval', pending_approval_id = $3, lease_owner = NULL,
           lease_expires_at = NULL, resume = NULL, updated_at = $4 ${owned} RETURNING *`,
        [id, owner, approvalId, now],
      ),

    queueResume: (id, resume, now) =>
      transition(
        id,
        "resume",
        "store_conflict",
        `UPDATE cycles SET status = 'queued', resume = $2::jsonb, pending_approval_id = NULL, updated_at = $3
         WHERE id = $1 AND status = 'awaiting_approval' RETURNING *`,
        [id, jsonParam(resume), now],
      ),

    complete: (id, owner, { outcome, report, now }) =>
      transition(
        id,
        "complete",
        "store_lease_lost",
        `UPDATE cycles SET status = 'completed', outcome = $3, report = $4::jsonb, finished_at = $5, updated_at = $5,
           lease_owner = NULL, lease_expires_at = NULL ${owned} RETURNING *`,
        [id, owner, outcome, jsonParam(report), now],
      ),

    fail: (id, owner, { error, now }) =>
      transition(
        id,
        "fail",
        "store_lease_lost",
        `UPDATE cycles SET status = 'failed', error = $3, finished_at = $4, updated_at = $4,
           lease_owner = NULL, lease_expires_at = NULL ${owned} RETURNING *`,
        [id, owner, error, now],
      ),

    async countCreatedSince(since) {
      const r = await db.query("SELECT count(*) AS n FROM cycles WHERE created_at >= $1", [since]);
      return toNumber(r.rows[0]?.n);
    },

    async activeForService(service, environment) {
      const r = await db.query(
        `SELECT * FROM cycles WHERE service IS NOT DISTINCT FROM $1 AND environment = $2 AND status IN ${ACTIVE_STATUS_SQL}
         ORDER BY created_at DESC, id DESC`,
        [service, environment],
      );
      return r.rows.map(toCycleRow);
    },
  };
}
