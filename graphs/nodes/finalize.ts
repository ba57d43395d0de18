import type { CycleGraphDeps } from "../deps.js";
import type { CycleStateType, CycleUpdate } from "../state.js";

/** Closes the cycle: an outcome is always set, and the end goes into the audit trail. */
export function finalizeNode(deps: CycleGraphDeps) {
  return async (state: CycleStateType): Promise<CycleUpdate> => {
    const outcome = state.outcome ?? "escalated";
    const reason = state.outcomeReason ?? "The cycle ended without an outcome.";
    await deps.audit.append({
      at: deps.clock.now(),
      cycleId: state.cycleId,
      kind: "cycle_finished",
      actor: { type: "Agent", id: "supervisor" },
      decision: outcome,
      data: { outcome, reason, usage: state.usage },
    });
    return { outcome, outcomeReason: reason, task: null };
  };
}
