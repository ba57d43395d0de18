import { HumanMessage, RemoveMessage, SystemMessage, type AIMessageChunk } from "@langchain/core/messages";
import { REMOVE_ALL_MESSAGES, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { LOOP_STEPS, type LoopMove } from "../../core/index.js";
import { ASSIGN_TASK, FINISH_CYCLE, supervisorTools } from "../../agents/index.js";
import { supervisorMessage, supervisorPrompt, taskMessage, SUPERVISOR_PROMPT_VERSION } from "../../prompts/index.js";
import type { CycleGraphDeps } from "../deps.js";
import { allowedMoves } from "../routes.js";
import { supervisorBrief, taskBrief } from "../brief.js";
import type { CycleStateType, CycleUpdate } from "../state.js";
import { usageOf } from "./usage.js";

/** The supervisor: asks the model for the next move among those the loop allows, and follows it. */
export function supervisorNode(deps: CycleGraphDeps) {
  const team = deps.team.map((a) => ({ id: a.id, title: a.title, owns: a.owns }));
  return async (state: CycleStateType, config: LangGraphRunnableConfig): Promise<CycleUpdate> => {
    const now = deps.clock.now();
    const flags = await deps.flags.forEnvironment(state.environment);
    const moves = allowedMoves({ ...state, flags }, deps.contract, flags, deps.limits);
    const model = deps.models.bind(supervisorTools);
    const ai = (await model.invoke(
      [
        new SystemMessage(supervisorPrompt({ team, environment: state.environment, now })),
        new HumanMessage(supervisorMessage(supervisorBrief(state, moves))),
      ],
      { ...config, runName: "supervisor", metadata: { ...config.metadata, prompt_version: SUPERVISOR_PROMPT_VERSION } },
    )) as AIMessageChunk;
    const { move, followedModel, instructions } = pickMove(ai, moves);
    const reason = move.move === "finish" ? move.why : instructions;
    await deps.audit.append({
      at: now,
      cycleId: state.cycleId,
      kind: "supervisor_decision",
      actor: { type: "Agent", id: "supervisor" },
      decision: move.move === "finish" ? `finish:${move.outcome}` : `assign:${move.step}`,
      data: { move, followed_model: followedModel, allowed: moves, model: deps.models.name },
    });
    const base: CycleUpdate = {
      flags,
      usage: usageOf(ai, deps.models),
      decisions: [{ at: now.toISOString(), move: move.move === "finish" ? `finish:${move.outcome}` : `assign:${move.step}`, reason, followedModel }],
    };
    if (move.move === "finish") {
      return { ...base, task: null, outcome: move.outcome, outcomeReason: move.why, messages: [new RemoveMessage({ id: REMOVE_ALL_MESSAGES })] };
    }
    const step = LOOP_STEPS[move.step];
    const attempt = state.steps.filter((s) => s.step === move.step).length + 1;
    // A retry after a system failed waits in clock time (simulated in the sandbox) before it starts.
    if (move.delayMs) await deps.clock.sleep(move.delayMs, config.signal);
    const startedAt = move.delayMs ? deps.clock.now() : now;
    return {
      ...base,
      task: { step: move.step, phase: step.phase, agent: step.agent, instructions, attempt, startedAt: startedAt.toISOString(), modelCalls: 0 },
      messages: [
        new RemoveMessage({ id: REMOVE_ALL_MESSAGES }),
        new HumanMessage(taskMessage(taskBrief(state, deps.contract, move.step, step.phase, step.agent, instructions))),
      ],
    };
  };
}

/**
 * The move the model chose when it is allowed, else the loop's first move. A model can pick among
 * legal moves and word the instructions; it cannot invent a move.
 */
export function pickMove(ai: AIMessageChunk, moves: LoopMove[]): { move: LoopMove; followedModel: boolean; instructions: string } {
  const call = ai.tool_calls?.[0];
  const fallback = moves[0]!;
  const defaultInstructions = (m: LoopMove) => (m.move === "assign" ? `${LOOP_STEPS[m.step].goal} ${m.why}` : m.why);
  if (call?.name === ASSIGN_TASK) {
    const chosen = moves.find((m) => m.move === "assign" && m.step === call.args.step);
    if (chosen) {
      const text = typeof call.args.instructions === "string" && call.args.instructions.trim() ? call.args.instructions.trim() : defaultInstructions(chosen);
      return { move: chosen, followedModel: true, instructions: text.slice(0, 2000) };
    }
  }
  if (call?.name === FINISH_CYCLE) {
    const chosen = moves.find((m) => m.move === "finish" && m.outcome === call.args.outcome);
    if (chosen) return { move: chosen, followedModel: true, instructions: chosen.why };
  }
  return { move: fallback, followedModel: false, instructions: defaultInstructions(fallback) };
}
