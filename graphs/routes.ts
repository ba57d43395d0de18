import type { AIMessage } from "@langchain/core/messages";
import { LOOP_STEPS, type FindingKind, type GitChangeFinding, type LoopMove, type Phase, type StepId, type TriggerContract } from "../core/index.js";
import type { FlagSnapshot } from "../policies/index.js";
import type { CycleStateType, FindingRecord } from "./state.js";

/** Limits that stop runaway cycles, enforced outside the model. */
export interface CycleLimits {
  /** Tool calls per cycle. */
  maxToolCalls: number;
  /** Model turns per task before the task is ended as incomplete. */
  maxModelCallsPerTask: number;
  /** Attempts per step before the cycle gives up on it. */
  maxStepAttempts: number;
  /** Spending limit per cycle in USD. */
  maxCostUsd: number;
  /** Clock time before a step that failed on a retryable upstream error is tried again; doubles with each attempt. */
  retryBackoffMs: number;
}

/** Defaults of the cycle limits. */
export const DEFAULT_LIMITS: CycleLimits = { maxToolCalls: 80, maxModelCallsPerTask: 12, maxStepAttempts: 2, maxCostUsd: 5, retryBackoffMs: 30_000 };

/** The latest finding of `kind`, optionally of one step. */
export function latestFinding(state: Pick<CycleStateType, "findings">, kind: FindingKind, step?: StepId): FindingRecord | undefined {
  for (let i = state.findings.length - 1; i >= 0; i--) {
    const f = state.findings[i]!;
    if (f.kind === kind && (step === undefined || f.step === step)) return f;
  }
  return undefined;
}

const assign = (step: StepId, why: string, delayMs?: number): LoopMove => ({ move: "assign", step, agent: LOOP_STEPS[step].agent, why, ...(delayMs ? { delayMs } : {}) });
const escalate = (why: string): LoopMove => ({ move: "finish", outcome: "escalated", why });

/**
 * The moves the loop allows now, the one the trigger contract prescribes first. The supervisor
 * picks among them; escalating is always among them, so a model can stop a cycle but never skip a
 * gate or deploy out of order.
 */
export function allowedMoves(state: CycleStateType, contract: TriggerContract, flags: FlagSnapshot | null, limits: CycleLimits): LoopMove[] {
  const moves = nextMoves(state, contract, flags, limits);
  return moves.some((m) => m.move === "finish" && m.outcome === "escalated") ? moves : [...moves, escalate("The supervisor chose to hand the cycle to a human.")];
}

function nextMoves(state: CycleStateType, contract: TriggerContract, flags: FlagSnapshot | null, limits: CycleLimits): LoopMove[] {
  const deployed = state.findings.some((f) => f.kind === "deployment");
  const rolledBack = state.findings.some((f) => f.kind === "rollback");
  const ahead = gitAhead(state);
  // Before a cycle gives up, what it changed is withdrawn: a deployment through Argo CD history, a
  // commit that never deployed by restoring Git to what serves.
  const rollbackOr = (why: string): LoopMove[] => {
    if (deployed && !rolledBack && !isDone(state, "rollback")) return [assign("rollback", why), escalate(why)];
    if (ahead && !state.steps.some((s) => s.step === "rollback.git")) return [assign("rollback.git", `${why} Git holds ${ahead.revision.slice(0, 7)}, which never deployed.`), escalate(why)];
    return [escalate(ahead ? `${why} Git still holds ${ahead.revision.slice(0, 7)}, which never deployed; restore it by hand.` : why)];
  };

  const hardStop = state.stops.find((s) => s.hardStop);
  if (hardStop) return [escalate(`Stopped by policy at ${hardStop.tool}: ${hardStop.reasons.join("; ")}${ahead ? `; Git holds ${ahead.revision.slice(0, 7)}, which never deployed` : ""}`)];
  if (state.usage.costUsd >= limits.maxCostUsd) return rollbackOr(`The cycle spent its budget of ${limits.maxCostUsd} USD.`);
  if (state.usage.toolCalls >= limits.maxToolCalls) return rollbackOr(`The cycle made ${state.usage.toolCalls} tool calls, its limit.`);

  const { signal } = state.trigger;
  if (!signal) return [escalate(`The alert ${state.trigger.alertname ?? "(unnamed)"} maps to no signal of the trigger contract.`)];
  if (!state.service) return [escalate(`The alert names service "${state.trigger.service ?? ""}", which is not in the service catalog.`)];

  const last = state.steps[state.steps.length - 1];
  if (last && last.status === "incomplete" && !isDone(state, last.step)) {
    const attempts = state.steps.filter((s) => s.step === last.step).length;
    const why = `${last.step} did not complete (${last.summary.slice(0, 300)})`;
    if (last.step === "rollback") return [escalate(`${why}; the rollback needs a human.`)];
    if (last.step === "rollback.git") return [escalate(`${why}; Git may still hold values that never deployed${ahead ? ` (${ahead.revision.slice(0, 7)})` : ""}: restore them by hand.`)];
    // Recording the baseline is bookkeeping: its failure never undoes a deploy that held.
    if (last.step === "promote.baseline") return [{ move: "finish", outcome: "promoted", why: `The candidate serves all traffic and held up after the deploy, but ${why}; mark it stable by hand.` }];
    const denied = state.stops.filter((s) => s.step === last.step);
    if (denied.length > 0) return rollbackOr(`${why}: the policy denied ${denied.map((d) => `${d.tool} (${d.reasons.join("; ")})`).join(", ")}`);
    const failure = last.failure;
    // An upstream answer that retrying cannot change (a 4xx, garbage) ends the step's attempts now.
    if (failure?.system && !failure.retryable) return rollbackOr(`${why}; ${failure.system} gave an answer retrying cannot fix.`);
    if (attempts < limits.maxStepAttempts) {
      // A system that was down or slow gets time to recover before the step is tried again.
      const delayMs = failure?.retryable ? limits.retryBackoffMs * 2 ** (attempts - 1) : 0;
      return [assign(last.step, `Retry${delayMs ? ` in ${Math.round(delayMs / 1000)} s` : ""}: ${why}.`, delayMs), ...rollbackOr(why)];
    }
    return rollbackOr(`${why} after ${attempts} attempts.`);
  }

  // A human refused a call (or let the request lapse): the cycle ends escalated with their reason,
  // after withdrawing whatever it had already deployed.
  const refusal = state.actions.find((a) => a.status === "rejected");
  if (refusal) return rollbackOr(`${refusal.summary}.`);

  if (isDone(state, "rollback.git")) {
    const failed = state.steps.findLast((s) => s.status === "incomplete");
    const restored = latestFinding(state, "git_change")?.data as GitChangeFinding | undefined;
    const cause = failed ? `${failed.step} did not complete (${failed.summary.slice(0, 300)})` : "The cycle stopped before deploying";
    return [escalate(`${cause}; Git was restored to the values that serve${restored ? ` (${restored.revision.slice(0, 7)})` : ""}.`)];
  }

  if (isDone(state, "rollback")) {
    const promoted = state.findings.some((f) => f.kind === "deployment" && f.step === "promote");
    const watch = latestFinding(state, "watch")?.data as { breaches?: Array<{ metric: string }> } | undefined;
    const refused = state.stops.find((s) => !s.hardStop);
    if (promoted && !refused) return [{ move: "finish", outcome: "rolled_back", why: `Rolled back after the deploy degraded${watch?.breaches?.length ? ` (${watch.breaches.map((b) => b.metric).join(", ")})` : ""}.` }];
    if (refused) return [escalate(`${refused.reasons.join("; ")}; what this cycle had deployed was rolled back.`)];
    return [escalate("The candidate was withdrawn before promotion; a human should look at why it lost.")];
  }

  if (!isDone(state, "monitor")) return [assign("monitor", "Every cycle starts by confirming its signal.")];
  const monitor = latestFinding(state, "monitor")?.data as { triggered?: boolean; value?: number; threshold?: number } | undefined;
  if (monitor && monitor.triggered === false) {
    return [{ move: "finish", outcome: "no_action", why: `The signal is within its threshold now (value ${monitor.value}, threshold ${monitor.threshold}); nothing to do.` }];
  }
  if (!isDone(state, "diagnose")) return [assign("diagnose", "Find where the signal degraded before acting.")];

  const signalContract = contract.signals[signal];
  if (signalContract.plan.length === 0) return [escalate(`The contract for ${signalContract.title} says: ${signalContract.action}. A human must act.`)];

  for (const phase of signalContract.plan) {
    const move = phaseMove(state, phase, flags, rollbackOr);
    if (move) return move;
  }
  const why =
    signalContract.candidate === "processor_tuning"
      ? "The capacity change passed its gate, is deployed, and the backlog and quality held up after the deploy."
      : signalContract.candidate === "retrain_detector"
        ? "The retrained detector kept its precision and recall on the labelled held-out data and now serves the monitor."
        : "The candidate passed every gate, serves all traffic and held up after the deploy.";
  return [{ move: "finish", outcome: "promoted", why }];
}

/** The moves of `phase` when it is not finished; null when it is done or skipped. */
function phaseMove(state: CycleStateType, phase: Phase, flags: FlagSnapshot | null, rollbackOr: (why: string) => LoopMove[]): LoopMove[] | null {
  switch (phase) {
    case "augment": {
      if (isDone(state, "augment")) return null;
      if (state.trigger.signal === "detector_drift") return [assign("augment", "Snapshot the series' recent normal history for its detector.")];
      const weak = (latestFinding(state, "diagnosis")?.data as { weak_segments?: string[] } | undefined)?.weak_segments ?? [];
      if (weak.length === 0) return [escalate("The diagnosis found no weak segment to augment data for.")];
      return [assign("augment", `Weak segments: ${weak.join(", ")}.`)];
    }
    case "train":
      return isDone(state, "train") ? null : [assign("train", "Train the candidate for this signal.")];
    case "evaluate": {
      if (!isDone(state, "evaluate")) return [assign("evaluate", "Gate the candidate before it serves anyone.")];
      const evaluation = latestFinding(state, "evaluation")?.data as { passed?: boolean; checks?: Array<{ passed: boolean; detail: string }> } | undefined;
      if (evaluation && !evaluation.passed) {
        const failed = (evaluation.checks ?? []).filter((c) => !c.passed).map((c) => c.detail);
        return [escalate(`The candidate failed its quality gate: ${failed.join("; ") || "see the evaluation"}.`)];
      }
      return null;
    }
    case "ab_test": {
      if (flags && !flags.abTesting.enabled) return null;
      if (!isDone(state, "ab_test.canary")) return [assign("ab_test.canary", "Start the A/B test.")];
      if (!isDone(state, "ab_test.compare")) return [assign("ab_test.compare", "Judge the A/B test.")];
      const ab = latestFinding(state, "ab_test")?.data as { passed?: boolean; winner?: string } | undefined;
      if (ab && !ab.passed) return rollbackOr(`The candidate did not win the A/B test (winner: ${ab.winner}); withdraw the canary.`);
      return null;
    }
    case "promote":
      return isDone(state, "promote") ? null : [assign("promote", "Promote the candidate to all traffic.")];
    case "watch": {
      if (!isDone(state, "watch")) return [assign("watch", "Watch the rollout.")];
      const watch = latestFinding(state, "watch")?.data as { degraded?: boolean; breaches?: Array<{ metric: string; rule: string }> } | undefined;
      if (watch?.degraded) return rollbackOr(`The deploy degraded: ${(watch.breaches ?? []).map((b) => `${b.metric} (${b.rule})`).join(", ")}.`);
      // A new model that held becomes a stable baseline (a capacity change has none to record).
      const baselineTried = state.steps.some((s) => s.step === "promote.baseline");
      if (latestFinding(state, "candidate") && !baselineTried) return [assign("promote.baseline", "The deploy held; record the new baseline.")];
      return null;
    }
    default:
      return null;
  }
}

/**
 * The commit of this cycle Git now holds without any sync having deployed it (a canary or
 * promotion whose sync failed or was refused), or null when Git says what serves.
 */
export function gitAhead(state: Pick<CycleStateType, "findings">): { revision: string; before: string | null } | null {
  const changes = state.findings.filter((f) => f.kind === "git_change").map((f) => f.data as GitChangeFinding);
  const last = changes.at(-1);
  if (!last || last.restored_from !== null || !changes.some((c) => c.changed)) return null;
  const deployed = new Set(state.findings.filter((f) => f.kind === "deployment" || f.kind === "rollback").map((f) => (f.data as { revision?: string }).revision));
  if (deployed.has(last.revision)) return null;
  return { revision: last.revision, before: changes.find((c) => c.changed && c.restored_from === null)?.previous_revision ?? null };
}

/** Whether `step` finished with its finding. */
export function isDone(state: Pick<CycleStateType, "steps">, step: StepId): boolean {
  return state.steps.some((s) => s.step === step && s.status === "done");
}

/** After the supervisor: the assigned agent's node, or finalize. */
export function routeAfterSupervisor(state: Pick<CycleStateType, "outcome" | "task">, nodes: Record<string, string>): string {
  if (state.outcome || !state.task) return "finalize";
  return nodes[state.task.agent] ?? "finalize";
}

/** After an agent's turn: run its tool calls, or return to the supervisor. */
export function routeAfterAgent(state: Pick<CycleStateType, "messages" | "task">): "tools" | "supervisor" {
  if (!state.task) return "supervisor";
  const last = state.messages[state.messages.length - 1];
  return last?.getType() === "ai" && ((last as AIMessage).tool_calls?.length ?? 0) > 0 ? "tools" : "supervisor";
}

/** After tools ran: back to the agent, or finalize when the cycle was ended (a rejected approval). */
export function routeAfterTools(state: Pick<CycleStateType, "outcome" | "task">, nodes: Record<string, string>): string {
  if (state.outcome || !state.task) return "finalize";
  return nodes[state.task.agent] ?? "finalize";
}
