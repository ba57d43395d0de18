import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { ArtifactDraft, ArtifactRef, Clock, TriggerContract } from "../core/index.js";
import type { AgentProfile, ModelProvider } from "../agents/index.js";
import type { AuditPort, FlagsPort, PolicyGate, Principal } from "../policies/index.js";
import type { CycleLimits } from "./routes.js";

/**
 * Where approval requests are kept. `open` returns the open request of this exact call when one
 * exists (a resumed node asks again), else creates one. Approvals run on wall-clock time, since
 * humans answer them, whatever clock the cycle's business time follows.
 */
export interface ApprovalRequestsPort {
  open(request: { cycleId: string; tool: string; input: unknown; callHash: string; principal: Principal; reasons: string[] }): Promise<{ id: string; expiresAt: Date }>;
}

/** Where cycle artifacts are stored. */
export interface ArtifactsPort {
  put(cycleId: string, drafts: readonly ArtifactDraft[], now: Date): Promise<ArtifactRef[]>;
}

/** Everything the cycle graph needs; the composition root (server, evals) provides it. */
export interface CycleGraphDeps {
  gate: PolicyGate;
  models: ModelProvider;
  team: readonly AgentProfile[];
  contract: TriggerContract;
  clock: Clock;
  limits: CycleLimits;
  flags: FlagsPort;
  audit: AuditPort;
  artifacts: ArtifactsPort;
  approvals: ApprovalRequestsPort;
  checkpointer?: BaseCheckpointSaver;
}
