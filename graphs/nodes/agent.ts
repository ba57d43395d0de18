import { AIMessage, SystemMessage, type AIMessageChunk } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { LOOP_STEPS, type StepId } from "../../core/index.js";
import { toolsFor, type AgentProfile, type ToolSpec } from "../../agents/index.js";
import { specialistPrompt, SPECIALIST_PROMPT_VERSION } from "../../prompts/index.js";
import type { CycleGraphDeps } from "../deps.js";
import type { CycleStateType, CycleUpdate, StepRecord, TaskAssignment } from "../state.js";
import { usageOf } from "./usage.js";

/** One turn of a specialist: the model either calls tools or answers, which ends its task. */
export function agentNode(deps: CycleGraphDeps, agent: AgentProfile) {
  const spec = (name: string): ToolSpec => {
    const tool = deps.gate.tool(name);
    if (!tool) throw new Error(`agent ${agent.id} lists tool "${name}", which is not registered`);
    return { name: tool.name, description: tool.description, schema: tool.input };
  };
  agent.tools.forEach(spec);
  for (const [step, names] of [...Object.entries(agent.steps), ...Object.entries(agent.detectorSteps ?? {})]) {
    const outside = (names ?? []).filter((n) => !agent.tools.includes(n));
    if (outside.length) throw new Error(`agent ${agent.id} lists ${outside.join(", ")} for ${step} but not among its tools`);
  }
  // The model of each step sees only that step's tools.
  const bound = new Map<string, ReturnType<typeof deps.models.bind>>();
  const modelFor = (step: StepId, signal: string | null) => {
    const key = `${step}/${signal === "detector_drift" ? "detector" : "model"}`;
    if (!bound.has(key)) bound.set(key, deps.models.bind(toolsFor(agent, step, signal).map(spec)));
    return bound.get(key)!;
  };
  // Whether a tool changes a system (its failure leaves the step undone); unknown tools count as changes.
  const changes = (tool: string) => deps.gate.tool(tool)?.flags.readOnly !== true;
  return async (state: CycleStateType, config: LangGraphRunnableConfig): Promise<CycleUpdate> => {
    const task = state.task!;
    const now = deps.clock.now();
    if (task.modelCalls >= deps.limits.maxModelCallsPerTask) {
      const text = `Stopped after ${task.modelCalls} turns on ${task.step}, the per-task limit.`;
      return { messages: [new AIMessage(text)], task: null, steps: [stepRecord(state, task, text, now, changes)] };
    }
    const ai = (await modelFor(task.step, state.trigger.signal).invoke([new SystemMessage(specialistPrompt({ agent, environment: state.environment, now })), ...state.messages], {
      ...config,
      runName: agent.id,
      metadata: { ...config.metadata, agent: agent.id, step: task.step, prompt_version: SPECIALIST_PROMPT_VERSION },
    })) as AIMessageChunk;
    const usage = usageOf(ai, deps.models);
    if ((ai.tool_calls?.length ?? 0) > 0) return { messages: [ai], task: { ...task, modelCalls: task.modelCalls + 1 }, usage };
    const text = typeof ai.content === "string" ? ai.content : JSON.stringify(ai.content);
    const record = stepRecord(state, task, text, now, changes);
    await deps.audit.append({
      at: now,
      cycleId: state.cycleId,
      kind: "step_finished",
      actor: { type: "Agent", id: agent.id },
      decision: record.status,
      data: { step: task.step, attempt: task.attempt, summary: text.slice(0, 2000) },
    });
    return { messages: [ai], task: null, steps: [record], usage };
  };
}

/** A task's record: done when the step needs no finding or established it. */
function stepRecord(state: CycleStateType, task: TaskAssignment, summary: string, now: Date, changes: (tool: string) => boolean): StepRecord {
  const produces = LOOP_STEPS[task.step].produces;
  const actions = state.actions.filter((a) => a.step === task.step && a.startedAt >= task.startedAt);
  // A change that failed and never succeeded later in the task: a step is not done while one of the
  // changes it set out to make did not happen (a promotion whose alias move failed after the sync).
  // A read that failed is the runbook's to work around (rollback.git restores Git when Argo CD is down).
  const unresolved = actions.findLast((a) => a.error && changes(a.tool) && !actions.some((b) => b.tool === a.tool && b.sequence > a.sequence && b.status === "success"));
  const established =
    produces === null || (state.findings.some((f) => f.step === task.step && f.kind === produces && f.at >= task.startedAt) && !unresolved);
  // The task's last tool error, which tells the supervisor whether retrying the step can help.
  const failed = established ? undefined : (unresolved ?? actions.findLast((a) => a.error));
  return {
    ...(failed?.error ? { failure: { tool: failed.tool, ...failed.error } } : {}),
    step: task.step,
    phase: task.phase,
    agent: task.agent,
    attempt: task.attempt,
    status: established ? "done" : "incomplete",
    summary: summary.slice(0, 2000),
    startedAt: task.startedAt,
    endedAt: now.toISOString(),
  };
}
