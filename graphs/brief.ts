import { isSignal, type FindingKind, type TriggerContract } from "../core/index.js";
import type { SupervisorBriefContext, TaskBriefContext } from "../prompts/index.js";
import type { LoopMove, StepId } from "../core/index.js";
import type { CycleStateType } from "./state.js";

/** The latest data of every finding kind, for briefs. */
export function latestFindings(state: Pick<CycleStateType, "findings">): Partial<Record<FindingKind, Record<string, unknown>>> {
  const out: Partial<Record<FindingKind, Record<string, unknown>>> = {};
  for (const f of state.findings) out[f.kind] = f.data;
  return out;
}

/** The trigger as agents see it: the alert's facts, its free text kept apart as untrusted data. */
function triggerView(state: CycleStateType): Record<string, unknown> {
  const t = state.trigger;
  return {
    alertname: t.alertname,
    signal: t.signal,
    service: t.service,
    value: t.value,
    baseline: t.baseline,
    starts_at: t.startsAt,
    // A detector_drift alert names the series whose detector drifted; only a contract signal passes.
    ...(isSignal(t.labels.series_signal) ? { series_signal: t.labels.series_signal } : {}),
    untrusted_annotations: t.annotations,
  };
}

function contractView(state: CycleStateType, contract: TriggerContract): Record<string, unknown> | null {
  const signal = state.trigger.signal;
  if (!signal) return null;
  return { ...contract.signals[signal], abTrafficPercent: contract.abTrafficPercent, abMinutes: contract.abMinutes, watchMinutes: contract.watchMinutes };
}

/** The context block of a specialist's task. */
export function taskBrief(state: CycleStateType, contract: TriggerContract, step: StepId, phase: string, agent: string, instructions: string): TaskBriefContext {
  return {
    cycle_id: state.cycleId,
    agent,
    phase,
    step,
    instructions,
    environment: state.environment,
    signal: state.trigger.signal,
    service: state.trigger.service,
    catalog: state.service,
    trigger: triggerView(state),
    contract: contractView(state, contract),
    findings: latestFindings(state),
    deployments: state.findings.filter((f) => f.kind === "deployment").map((f) => ({ ...f.data, step: f.step })),
    git_changes: state.findings.filter((f) => f.kind === "git_change").map((f) => ({ ...f.data, step: f.step })),
  };
}

/** The context block of a supervisor turn. */
export function supervisorBrief(state: CycleStateType, allowed: LoopMove[]): SupervisorBriefContext {
  return {
    cycle_id: state.cycleId,
    environment: state.environment,
    signal: state.trigger.signal,
    service: state.trigger.service,
    trigger: triggerView(state),
    completed: state.steps.map((s) => ({ step: s.step, agent: s.agent, status: s.status, summary: s.summary })),
    findings: latestFindings(state),
    allowed,
    usage: { ...state.usage },
  };
}
