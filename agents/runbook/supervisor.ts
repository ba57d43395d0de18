import { LOOP_STEPS, type LoopMove } from "../../core/index.js";
import { ASSIGN_TASK, FINISH_CYCLE } from "../supervisor/index.js";
import { answer, call, type RunbookDecision } from "./decision.js";

/** The supervisor's runbook: take the loop's first allowed move, as the contract orders it. */
export function supervisorRunbook(context: { allowed?: LoopMove[]; cycle_id?: string }): RunbookDecision {
  const move = context.allowed?.[0];
  if (!move) return answer("No move is allowed; the cycle cannot continue.");
  if (move.move === "finish") return call(FINISH_CYCLE, { outcome: move.outcome, reason: move.why }, `Finishing: ${move.why}`);
  const goal = LOOP_STEPS[move.step].goal;
  return call(ASSIGN_TASK, { step: move.step, instructions: `${goal} ${move.why}`.trim() }, `Assigning ${move.step} to ${move.agent}.`);
}
