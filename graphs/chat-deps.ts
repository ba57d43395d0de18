import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { Clock, Environment } from "../core/index.js";
import type { ChatModelProvider } from "../agents/index.js";
import type { AuditPort, PolicyGate, Principal } from "../policies/index.js";
import type { ChatBriefContext } from "../prompts/index.js";
import type { ChatLimits } from "./chat-routes.js";

/**
 * Where the chat's approval requests go: one cycle-less request per call the policy puts to a human,
 * bound to the call by its hash; the server runs the call once an operator approves it.
 */
export interface ChatApprovalsPort {
  open(request: { tool: string; input: Record<string, unknown>; callHash: string; principal: Principal; reasons: string[]; conversationId: string }): Promise<{ id: string; expiresAt: Date }>;
}

/** What the chat streams besides the model's tokens (the graph's custom stream). */
export type ChatStreamEvent =
  | { type: "tool"; tool: string; input: unknown; decision: "allow" | "deny" | "require_approval" | null; status: string }
  | { type: "action"; kind: "approval" | "cycle"; id: string; summary: string };

/** Everything the chat graph needs; the server provides it. */
export interface ChatGraphDeps {
  gate: PolicyGate;
  models: ChatModelProvider;
  /** The deployment's facts for the prompt (the operator and the time are added per turn). */
  brief: Omit<ChatBriefContext, "now" | "operator">;
  /** The environment every chat call is made in. */
  environment: Environment;
  clock: Clock;
  /** Where refused calls are recorded (the gate records the others). */
  audit: AuditPort;
  approvals: ChatApprovalsPort;
  /** The tools the chat may call (each must be registered; the chat's reads must be read-only). */
  tools: { read: readonly string[]; request: readonly string[] };
  limits: ChatLimits;
  checkpointer?: BaseCheckpointSaver;
}
