import type { Environment } from "../../core/index.js";
import { outsideCycleScope, type GateResult, type PolicyGate, type Principal } from "../../policies/index.js";
import type { ApprovalsRepo } from "../store/index.js";

/** What running an approved request needs. */
export interface ApprovedRequestDeps {
  approvals: Pick<ApprovalsRepo, "get">;
  gate: Pick<PolicyGate, "execute">;
  environment: Environment;
}

/**
 * Runs the call of an approved request made outside any cycle (a cycle requested in the chat),
 * through the gate, as the person who asked and under the approval (which the gate consumes once,
 * for exactly that call). Returns null for an approval that is not such a request, or not approved.
 */
export async function runApprovedRequest(deps: ApprovedRequestDeps, approvalId: string): Promise<GateResult | null> {
  const row = await deps.approvals.get(approvalId);
  if (!row || row.cycleId !== null || row.status !== "approved") return null;
  const asker = row.principal as Partial<Principal> | null;
  if ((asker?.type !== "Operator" && asker?.type !== "McpClient") || typeof asker.id !== "string") return null;
  const principal: Principal = { type: asker.type, id: asker.id, ...(typeof asker.role === "string" ? { role: asker.role } : {}) };
  return deps.gate.execute({ principal, tool: row.tool, input: row.input, scope: outsideCycleScope(deps.environment), approvalId: row.id });
}
