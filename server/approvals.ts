import type { ApprovalAnswer } from "../graphs/index.js";
import { isStoreError, type ApprovalRow } from "./store/index.js";
import type { Autopilot } from "./autopilot.js";

/**
 * Records an operator's decision on an approval and queues its cycle to resume with it. The
 * decision is audited; a cycle that has not yet reached its pause picks the answer up itself.
 */
export async function decideApproval(
  ap: Autopilot,
  id: string,
  decision: { decision: "approved" | "rejected"; by: string; reason: string | null },
): Promise<ApprovalRow> {
  const now = new Date();
  const row = await ap.store.approvals.decide(id, { ...decision, now });
  await ap.store.audit.append({
    at: ap.platform.clock.now(),
    cycleId: row.cycleId,
    kind: "approval_decided",
    actor: { type: "Operator", id: decision.by },
    tool: row.tool,
    decision: decision.decision,
    data: { approval_id: id, reason: decision.reason },
  });
  if (row.cycleId) await resumeWith(ap, row.cycleId, { approval_id: id, decision: decision.decision, by: decision.by, reason: decision.reason });
  return row;
}

/** Expires approvals past their deadline at `now` and resumes their cycles, which then escalate. */
export async function expireApprovals(ap: Autopilot, now: Date = new Date()): Promise<number> {
  const expired = await ap.store.approvals.expireDue(now);
  for (const row of expired) {
    if (row.cycleId) await resumeWith(ap, row.cycleId, { approval_id: row.id, decision: "expired", by: null, reason: "the approval request expired" });
  }
  return expired.length;
}

/** The answer already given to an approval, if any (a cycle pausing late finds it here). */
export async function approvalAnswer(ap: Pick<Autopilot, "store">, id: string): Promise<ApprovalAnswer | null> {
  const row = await ap.store.approvals.get(id);
  if (!row) return null;
  if (row.status === "approved" || row.status === "rejected") return { approval_id: id, decision: row.status, by: row.decidedBy, reason: row.decisionReason };
  if (row.status === "expired") return { approval_id: id, decision: "expired", by: null, reason: "the approval request expired" };
  return null;
}

async function resumeWith(ap: Autopilot, cycleId: string, answer: ApprovalAnswer): Promise<void> {
  try {
    await ap.store.cycles.queueResume(cycleId, answer, new Date());
    ap.runner.wake();
  } catch (error) {
    // The cycle is not paused yet; the runner reads the answer when it pauses.
    if (!isStoreError(error) || error.code !== "store_conflict") throw error;
  }
}
