import { Annotation, messagesStateReducer } from "@langchain/langgraph";
import type { BaseMessage } from "@langchain/core/messages";
import type {
  AgentId,
  ArtifactRef,
  Environment,
  FindingKind,
  Outcome,
  Phase,
  Service,
  Signal,
  StepId,
} from "../core/index.js";
import type { FlagSnapshot } from "../policies/index.js";

/** What started the cycle, taken from the alert (labels and annotations are untrusted data). */
export interface CycleTrigger {
  signal: Signal | null;
  service: string | null;
  alertname: string | null;
  fingerprint: string | null;
  value: number | null;
  baseline: number | null;
  startsAt: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The step an agent is working on. */
export interface TaskAssignment {
  step: StepId;
  phase: Phase;
  agent: AgentId;
  instructions: string;
  attempt: number;
  startedAt: string;
  /** Model turns the agent has taken on this task. */
  modelCalls: number;
}

/** What failed in a tool call: the system, the request and its answer, and whether a retry could help. */
export interface ActionError {
  code: string;
  message: string;
  system?: string;
  request?: string;
  upstream_status?: number;
  retryable: boolean;
}

/** A finished task. */
export interface StepRecord {
  step: StepId;
  phase: Phase;
  agent: AgentId;
  attempt: number;
  /** done: the step established its finding (or needs none); incomplete: it did not. */
  status: "done" | "incomplete";
  summary: string;
  startedAt: string;
  endedAt: string;
  /** The last tool error of the task, when it ended incomplete after one. */
  failure?: ActionError & { tool: string };
}

/** A finding recorded from a tool result. */
export interface FindingRecord {
  kind: FindingKind;
  step: StepId;
  phase: Phase;
  tool: string;
  at: string;
  data: Record<string, unknown>;
}

/** One tool call as the cycle report lists it. */
export interface ActionRecord {
  sequence: number;
  phase: Phase;
  step: StepId;
  agent: AgentId;
  tool: string;
  status: "success" | "no_data" | "error" | "denied" | "invalid" | "approval_required" | "rejected";
  decision: "allow" | "deny" | "require_approval" | "none";
  reasons: string[];
  summary: string;
  startedAt: string;
  durationSec: number;
  ids: { dvc_hash?: string; mlflow_run_id?: string; model_version?: string; argocd_revision?: string };
  approvalId?: string;
  /** What failed, for an action whose status is error. */
  error?: ActionError;
}

/** A human approval asked for during the cycle, and its answer. */
export interface ApprovalRecord {
  id: string;
  tool: string;
  step: StepId;
  status: "approved" | "rejected" | "expired";
  by: string | null;
  reason: string | null;
  at: string;
}

/** A policy denial the cycle ran into. */
export interface PolicyStop {
  tool: string;
  step: StepId;
  reasons: string[];
  hardStop: boolean;
  at: string;
}

/** A supervisor decision. */
export interface DecisionRecord {
  at: string;
  move: string;
  reason: string;
  followedModel: boolean;
}

/** Model and tool usage of the cycle. */
export interface Usage {
  modelCalls: number;
  toolCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** An empty usage record. */
export const NO_USAGE: Usage = { modelCalls: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };

const append = <T>() =>
  Annotation<T[]>({
    reducer: (left, right) => left.concat(right),
    default: () => [],
  });

/** The state of one self-improvement cycle; the LangGraph thread id is the cycle id. */
export const CycleState = Annotation.Root({
  /** `si_YYYY_MM_DD_NNN`. */
  cycleId: Annotation<string>,
  /** The environment the cycle acts on; policies differ per environment. */
  environment: Annotation<Environment>,
  /** The alert that started the cycle. */
  trigger: Annotation<CycleTrigger>,
  /** The catalogued service the alert names; null for an unknown service. */
  service: Annotation<Service | null>,
  /** When the cycle started (ISO). */
  startedAt: Annotation<string>,
  /** The feature flags of the environment as last read by the supervisor. */
  flags: Annotation<FlagSnapshot | null>,
  /** The task the active agent works on; null between tasks. */
  task: Annotation<TaskAssignment | null>,
  /** The active agent's conversation; reset at every new task. */
  messages: Annotation<BaseMessage[]>({ reducer: messagesStateReducer, default: () => [] }),
  /** Finished tasks, in order. */
  steps: append<StepRecord>(),
  /** Findings established by tool results, in order. */
  findings: append<FindingRecord>(),
  /** Every tool call of the cycle, in order. */
  actions: append<ActionRecord>(),
  /** Stored artifacts (diagnostic report, dataset manifest, values patch, evaluation results). */
  artifacts: append<ArtifactRef>(),
  /** Human approvals asked for and answered. */
  approvals: append<ApprovalRecord>(),
  /** Policy denials met. */
  stops: append<PolicyStop>(),
  /** Supervisor decisions. */
  decisions: append<DecisionRecord>(),
  /** Model and tool usage so far. */
  usage: Annotation<Usage>({
    reducer: (a, b) => ({
      modelCalls: a.modelCalls + b.modelCalls,
      toolCalls: a.toolCalls + b.toolCalls,
      inputTokens: a.inputTokens + b.inputTokens,
      outputTokens: a.outputTokens + b.outputTokens,
      costUsd: a.costUsd + b.costUsd,
    }),
    default: () => ({ ...NO_USAGE }),
  }),
  /** How the cycle ended; set once, by the supervisor or by a rejected approval. */
  outcome: Annotation<Outcome | null>({ reducer: (a, b) => a ?? b, default: () => null }),
  /** Why it ended that way. */
  outcomeReason: Annotation<string | null>({ reducer: (a, b) => a ?? b, default: () => null }),
});

/** The state of a cycle. */
export type CycleStateType = typeof CycleState.State;
/** A partial update of a cycle's state. */
export type CycleUpdate = typeof CycleState.Update;
