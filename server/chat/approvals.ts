import type { Clock } from "../../core/index.js";
import type { ChatApprovalsPort } from "../../graphs/index.js";
import type { AuditPort, Principal } from "../../policies/index.js";
import type { ApprovalsRepo } from "../store/index.js";

/** What opening a person's approval request needs. */
export interface RequestApprovalsDeps {
  approvals: Pick<ApprovalsRepo, "create" | "listPending">;
  audit: AuditPort;
  /** Business time, for the audit entry (approvals themselves run on wall-clock time: people answer them). */
  clock: Clock;
  ttlMs: number;
  now?: () => Date;
}

/**
 * Approval requests for calls a person (an operator in the chat, later an MCP client) made outside
 * any cycle: one per exact call (its hash), reused while it is pending, on the record with who
 * asked and why the policy asks. Nothing runs until an operator approves it (runApprovedRequest).
 */
export function createRequestApprovals(deps: RequestApprovalsDeps): ChatApprovalsPort {
  const now = deps.now ?? (() => new Date());
  return {
    async open({ tool, input, callHash, principal, reasons, conversationId }) {
      const at = now();
      // The same call asked twice (a repeated question) waits on the one request.
      const pending = (await deps.approvals.listPending(at)).find((a) => a.cycleId === null && a.callHash === callHash && sameAsker(a.principal, principal));
      if (pending) return { id: pending.id, expiresAt: pending.expiresAt };
      const created = await deps.approvals.create({ cycleId: null, tool, input, callHash, principal, reasons, requestedAt: at, expiresAt: new Date(at.getTime() + deps.ttlMs) });
      await deps.audit.append({
        at: deps.clock.now(),
        cycleId: null,
        kind: "approval_requested",
        actor: { type: principal.type, id: principal.id },
        tool,
        decision: "require_approval",
        data: { approval_id: created.id, reasons, call_hash: callHash, expires_at: created.expiresAt.toISOString(), input, conversation_id: conversationId },
      });
      return { id: created.id, expiresAt: created.expiresAt };
    },
  };
}

function sameAsker(stored: unknown, principal: Principal): boolean {
  const p = stored as Partial<Principal> | null;
  return p?.type === principal.type && p.id === principal.id;
}
