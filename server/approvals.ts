import { AutopilotError } from "../core/index.js";
import type { ApprovalAnswer } from "../graphs/index.js";
import type { GateResult } from "../policies/index.js";
import { isStoreError, type ApprovalRow } from "./store/index.js";
import type { Autopilot } from "./autopilot.js";
// Straight from its module: the chat's index pulls in the chat graph, which leads back here.
import { runApprovedRequest } from "./chat/requests.js";

/** What deciding an approval did: the approval as decided, and for a request made outside any cycle, its call once approved. */
export interface ApprovalOutcome {
  approval: ApprovalRow;
  /** The approved call of a person's request (chat or MCP), run at once through the gate; null otherwise. */
  ran: GateResult | null;
}

/**
 * Records an operator's decision on an approval. A cycle's approval queues the cycle to resume with
 * the answer (a cycle that has not yet reached its pause picks it up itself). A request a person
 * made outside any cycle (in the chat, or an assistant over MCP) runs its call as soon as it is
 * approved, through the gate, as the person who asked and under this approval. Nobody approves
 * their own request: a second person looks at a change the policies put to a human.
 */
export async function decideApproval(
  ap: Autopilot,
  id: string,
  decision: { decision: "approved" | "rejected"; by: string; reason: string | null },
): Promise<ApprovalOutcome> {
  const now = new Date();
  const asked = await ap.store.approvals.get(id);
  const asker = asked?.principal as { type?: string; id?: string } | null | undefined;
  // An assistant acting with someone's token asks as them (its McpClient id is the token's name).
  if (decision.decision === "approved" && (asker?.type === "Operator" || asker?.type === "McpClient") && asker.id === decision.by) {
    throw new AutopilotError("own_request", `${decision.by} asked for this call; another operator approves it (rejecting withdraws it)`);
  }
  const row = await ap.store.approvals.decide(id, { ...decision, now });
  await ap.audit.append({
    at: ap.platform.clock.now(),
    cycleId: row.cycleId,
    kind: "approval_decided",
    actor: { type: "Operator", id: decision.by },
    tool: row.tool,
    decision: decision.decision,
    data: { approval_id: id, reason: decision.reason },
  });
  if (row.cycleId) {
    await resumeWith(ap, row.cycleId, { approval_id: id, decision: decision.decision, by: decision.by, reason: decision.reason });
    return { approval: row, ran: null };
  }
  const ran = decision.decision === "approved" ? await runApprovedRequest({ approvals: ap.store.approvals, gate: ap.gate, environment: ap.environment }, id) : null;
  return { approval: (await ap.store.approvals.get(id)) ?? row, ran };
}

/** How long an approved request is left to the approval that ran it before a sweep runs it instead. */
const UNRUN_GRACE_MS = 60_000;

/**
 * Runs approved requests made outside any cycle whose call never ran: the process that recorded the
 * approval stopped before running it. Left a minute to that process first; the approval is
 * single-use, so a request two replicas sweep at once still runs once. Returns how many ran.
 */
export async function runLeftoverRequests(ap: Pick<Autopilot, "store" | "gate" | "environment">, now: Date = new Date()): Promise<number> {
  const leftovers = await ap.store.approvals.listApprovedUnrun(now, new Date(now.getTime() - UNRUN_GRACE_MS));
  let ran = 0;
  for (const row of leftovers) {
    const result = await runApprovedRequest({ approvals: ap.store.approvals, gate: ap.gate, environment: ap.environment }, row.id);
    if (result?.status === "executed") ran += 1;
  }
  return ran;
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
