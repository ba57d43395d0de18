import type { CycleGraphDeps } from "../deps.js";
import type { CycleStateType, CycleUpdate } from "../state.js";

/** Opens the cycle's record: the trigger it starts from goes into the audit trail first. */
export function intakeNode(deps: CycleGraphDeps) {
  return async (state: CycleStateType): Promise<CycleUpdate> => {
    const now = deps.clock.now();
    await deps.audit.append({
      at: now,
      cycleId: state.cycleId,
      kind: "cycle_started",
      actor: { type: "Agent", id: "supervisor" },
      data: { environment: state.environment, trigger: state.trigger, service: state.service, model: deps.models.name },
    });
    return { startedAt: state.startedAt ?? now.toISOString() };
  };
}
