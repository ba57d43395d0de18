import type { AgentId, StepId } from "../core/index.js";
import type { SpecialistIdentity } from "../prompts/index.js";

/** A specialist agent: who it is, what it owns and which tools it may call. */
export interface AgentProfile extends SpecialistIdentity {
  id: AgentId;
  /** Its node name in the cycle graph. */
  node: string;
  /** What it owns, in one line, for the supervisor's prompt. */
  owns: string;
  /** The names of every tool it may call (the policy gate still decides each call). */
  tools: readonly string[];
  /**
   * The tools of each step it owns: least privilege per step, so a model told (say, by an injected
   * alert) to roll back while starting a canary has no rollback tool to call.
   */
  steps: Partial<Record<StepId, readonly string[]>>;
  /**
   * The tools of each step of a detector_drift cycle (the loop retraining its own anomaly detector),
   * which needs other tools than a serving model's cycle; a step it does not list has none.
   */
  detectorSteps?: Partial<Record<StepId, readonly string[]>>;
}

/** The tools an agent may call in `step` of a cycle started by `signal` (all its tools for a step it does not list). */
export function toolsFor(profile: AgentProfile, step: StepId, signal: string | null = null): readonly string[] {
  if (signal === "detector_drift") return profile.detectorSteps?.[step] ?? [];
  return profile.steps[step] ?? profile.tools;
}
