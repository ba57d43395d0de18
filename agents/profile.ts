import type { AgentId } from "../core/index.js";
import type { SpecialistIdentity } from "../prompts/index.js";

/** A specialist agent: who it is, what it owns and which tools it may call. */
export interface AgentProfile extends SpecialistIdentity {
  id: AgentId;
  /** Its node name in the cycle graph. */
  node: string;
  /** What it owns, in one line, for the supervisor's prompt. */
  owns: string;
  /** The names of the tools it may call (the policy gate still decides each call). */
  tools: readonly string[];
}
