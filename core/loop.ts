import type { Phase } from "./trigger-contract.js";
import type { FindingKind } from "./findings.js";

/** The specialist agents of the team. */
export const AGENT_IDS = ["metrics-analyst", "data-engineer", "ml-engineer", "devops"] as const;
/** A specialist agent. */
export type AgentId = (typeof AGENT_IDS)[number];

/** How a cycle can end. */
export const OUTCOMES = ["promoted", "rolled_back", "escalated", "no_action"] as const;
/** How a cycle ended. */
export type Outcome = (typeof OUTCOMES)[number];

/** One step of the loop: a task one agent performs, and the finding that proves it done. */
export interface LoopStep {
  id: StepId;
  phase: Phase;
  agent: AgentId;
  /** The finding the step must establish; null when the step's value is the agent's answer. */
  produces: FindingKind | null;
  /** What the supervisor asks for, in one sentence. */
  goal: string;
}

/** The steps of the loop, in loop order. */
export const LOOP_STEPS = {
  monitor: { id: "monitor", phase: "monitor", agent: "metrics-analyst", produces: "monitor", goal: "Confirm the alerting signal against its baseline and threshold." },
  diagnose: { id: "diagnose", phase: "diagnose", agent: "metrics-analyst", produces: null, goal: "Find where the signal degraded (topics, stages or processors) and why." },
  augment: { id: "augment", phase: "augment", agent: "data-engineer", produces: "dataset", goal: "Augment the training data on the weak segments and version it with DVC." },
  train: { id: "train", phase: "train", agent: "ml-engineer", produces: "candidate", goal: "Train a candidate model and register it in MLflow." },
  evaluate: { id: "evaluate", phase: "evaluate", agent: "ml-engineer", produces: "evaluation", goal: "Evaluate the candidate against the champion and apply the quality gate." },
  "ab_test.canary": { id: "ab_test.canary", phase: "ab_test", agent: "devops", produces: "deployment", goal: "Start the A/B test: serve the candidate to its share of traffic through GitOps and Argo CD." },
  "ab_test.compare": { id: "ab_test.compare", phase: "ab_test", agent: "metrics-analyst", produces: "ab_test", goal: "Compare champion and candidate over the A/B window." },
  promote: { id: "promote", phase: "promote", agent: "devops", produces: "deployment", goal: "Promote the candidate to all traffic through GitOps and Argo CD, and move the champion alias." },
  watch: { id: "watch", phase: "watch", agent: "metrics-analyst", produces: "watch", goal: "Watch the signal and the guardrails after the deploy." },
  "promote.baseline": {
    id: "promote.baseline",
    phase: "promote",
    agent: "devops",
    produces: "baseline",
    goal: "Record the promoted version as a stable baseline (a rollback target, gold if it is the best yet) and tag the data it trained on.",
  },
  rollback: { id: "rollback", phase: "rollback", agent: "devops", produces: "rollback", goal: "Roll back to the last stable deployment and restore the champion alias." },
  "rollback.git": {
    id: "rollback.git",
    phase: "rollback",
    agent: "devops",
    produces: "git_change",
    goal: "This cycle committed values that never deployed: roll Argo CD back if a sync of them was accepted after all, and restore Git to the values that serve.",
  },
} as const satisfies Record<string, Omit<LoopStep, "id"> & { id: string }>;

/** The id of a loop step. */
export type StepId = keyof typeof LOOP_STEPS;

/** The steps of each phase, in order. */
export const PHASE_STEPS: Record<Phase, readonly StepId[]> = {
  monitor: ["monitor"],
  diagnose: ["diagnose"],
  augment: ["augment"],
  train: ["train"],
  evaluate: ["evaluate"],
  ab_test: ["ab_test.canary", "ab_test.compare"],
  promote: ["promote", "promote.baseline"],
  watch: ["watch"],
  rollback: ["rollback", "rollback.git"],
};

/** Whether `value` is a step id. */
export function isStepId(value: unknown): value is StepId {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(LOOP_STEPS, value);
}

/** A move the loop allows the supervisor to make now. */
export type LoopMove =
  | { move: "assign"; step: StepId; agent: AgentId; why: string; /** Wait this long (clock time) before the task starts: a retry's backoff. */ delayMs?: number }
  | { move: "finish"; outcome: Outcome; why: string };
