import { AutopilotError } from "../../core/index.js";

/** One event of a chat turn, as the HTTP API streams it (`event: <event>` and `data: <JSON>`). */
export type ChatEvent =
  | { event: "meta"; data: { conversation_id: string; turn: number; model: string } }
  | { event: "token"; data: { text: string } }
  | { event: "tool"; data: { tool: string; input: unknown; decision: "allow" | "deny" | "require_approval" | null; status: string } }
  | { event: "action"; data: { kind: "approval" | "cycle"; id: string; summary: string } }
  | { event: "done"; data: { conversation_id: string; answer: string; actions: Array<{ kind: string; id: string; summary: string }> } }
  | { event: "error"; data: { code: string; message: string } };

/** Why a turn cannot start: an unknown conversation (or another operator's), or one already answering. */
export class ChatError extends AutopilotError {
  override name = "ChatError";
}

/** Whether `error` is a ChatError. */
export function isChatError(error: unknown): error is ChatError {
  return error instanceof ChatError;
}
