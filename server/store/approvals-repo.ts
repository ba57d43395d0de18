import { randomBytes } from "node:crypto";
import type { Database } from "./db.js";
import { StoreError } from "./errors.js";
import { jsonValue, toDateOrNull } from "./rows.js";

/** Where an approval is in its life; `used` means the approved call ran (once). */
export type ApprovalStatus = "pending" | "approved" | "rejected" | "expired" | "used";

/** A request for an operator to allow one tool call. */
export interface ApprovalRow {
  id: string;
  cycleId: string | null;
  tool: string;
  input: unknown;
  /** Hash binding the approval to this exact call (tool, input, principal). */
  callHash: string;
  principal: unknown;
  reasons: unknown;
  status: ApprovalStatus;
  requestedAt: Date;
  expiresAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  usedAt: Date | null;
}

/** A new approval request. */
export interface CreateApprovalInput {
  cycleId: string | null;
  tool: string;
  input: unknown;
  callHash: string;
  principal: unknown;
  reasons: unknown;
  requestedAt: Date;
  expiresAt: Date;
}

/** An operator's decision. */
export interface ApprovalDecision {
  decision: "approved" | "rejected";
  by: string;
  reason: string | null;
  now: Date;
}

/** Approval requests and their single use. */
export interface ApprovalsRepo {
  create(input: CreateApprovalInput): Promise<ApprovalRow>;
  get(id: string): Promise<ApprovalRow | null>;
  /** Pending approvals that have not expired, oldest first. */
  listPending(now: Date): Promise<ApprovalRow[]>;
  /** Approves or rejects a pending, unexpired approval; throws a StoreError naming its state otherwise. */
  decide(id: string, decision: ApprovalDecision): Promise<ApprovalRow>;
  /** Marks an approved, unused, unexpired approval of exactly this call as used; null when it is not one. */
  consume(id: string, callHash: string, now: Date): Promise<ApprovalRow | null>;
  /** Approved requests made outside any cycle whose call has not run, decided at or before `decidedBefore` and not expired at `now`. */
  listApprovedUnrun(now: Date, decidedBefore: Date): Promise<ApprovalRow[]>;
  /** Marks pending approvals past their expiry as expired and returns them. */
  expireDue(now: Date): Promise<ApprovalRow[]>;
  /**
   * The newest request of this exact call that is pending, or answered and not yet acted on
   * (approved and unused, rejected, expired): a cycle resumed after the answer reads it instead of
   * opening a second request. A rejection or an expiry ends the cycle, so it is never asked again.
   */
  findOpen(cycleId: string, callHash: string): Promise<ApprovalRow | null>;
}

function toApprovalRow(r: Record<string, unknown>): ApprovalRow {
  return {
    id: r.id as string,
    cycleId: (r.cycle_id as string | null) ?? null,
    tool: r.tool as string,
    input: r.input,
    callHash: r.call_hash as string,
    principal: r.principal,
    reasons: r.reasons,
    status: r.status as ApprovalStatus,
    requestedAt: new Date(r.requested_at as Date),
    expiresAt: new Date(r.expires_at as Date),
    decidedBy: (r.decided_by as string | null) ?? null,
    decidedAt: toDateOrNull(r.decided_at),
    decisionReason: (r.decision_reason as string | null) ?? null,
    usedAt: toDateOrNull(r.used_at),
  };
}

/** The approvals repository. */
export function createApprovalsRepo(db: Database): ApprovalsRepo {
  const one = async (text: string, params: unknown[]) => {
    const r = await db.query(text, params);
    return r.rows[0] ? toApprovalRow(r.rows[0]) : null;
  };

  return {
    async create(input) {
      const row = await one(
        `INSERT INTO approvals (id, cycle_id, tool, input, call_hash, principal, reasons, status, requested_at, expires_at)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6::jsonb, $7::jsonb, 'pending', $8, $9) RETURNING *`,
        [
          `ap_${randomBytes(12).toString("hex")}`,
          input.cycleId,
          input.tool,
          jsonValue(input.input),
          input.callHash,
          jsonValue(input.principal),
          jsonValue(input.reasons ?? []),
          input.requestedAt,
          input.expiresAt,
        ],
      );
      return row as ApprovalRow;
    },

    get: (id) => one("SELECT * FROM approvals WHERE id = $1", [id]),

    async listPending(now) {
      const r = await db.query("SELECT * FROM approvals WHERE status = 'pending' AND expires_at > $1 ORDER BY requested_at, id", [now]);
      return r.rows.map(toApprovalRow);
    },

    async decide(id, { decision, by, reason, now }) {
      const row = await one(
        `UPDATE approvals SET status = $2, decided_by = $3, decided_at = $4, decision_reason = $5
         WHERE id = $1 AND status = 'pending' AND expires_at > $4 RETURNING *`,
        [id, decision, by, now, reason],
      );
      if (row) return row;
      const current = await one("SELECT * FROM approvals WHERE id = $1", [id]);
      if (!current) throw new StoreError("store_not_found", `cannot decide approval ${id}: no such approval`);
      const state = current.status === "pending" ? `expired at ${current.expiresAt.toISOString()}` : `already ${current.status}`;
      throw new StoreError("store_conflict", `cannot decide approval ${id}: it is ${state}`, {
        details: { approvalId: id, status: current.status },
      });
    },

    consume: (id, callHash, now) =>
      one(
        `UPDATE approvals SET status = 'used', used_at = $3
         WHERE id = $1 AND status = 'approved' AND call_hash = $2 AND expires_at > $3 RETURNING *`,
        [id, callHash, now],
      ),

    async listApprovedUnrun(now, decidedBefore) {
      const r = await db.query(
        "SELECT * FROM approvals WHERE status = 'approved' AND cycle_id IS NULL AND expires_at > $1 AND decided_at <= $2 ORDER BY decided_at, id",
        [now, decidedBefore],
      );
      return r.rows.map(toApprovalRow);
    },

    async expireDue(now) {
      const r = await db.query("UPDATE approvals SET status = 'expired' WHERE status = 'pending' AND expires_at <= $1 RETURNING *", [now]);
      return r.rows.map(toApprovalRow);
    },

    findOpen: (cycleId, callHash) =>
      one(
        `SELECT * FROM approvals WHERE cycle_id = $1 AND call_hash = $2 AND status IN ('pending', 'approved', 'rejected', 'expired')
         ORDER BY requested_at DESC, id DESC LIMIT 1`,
        [cycleId, callHash],
      ),
  };
}
