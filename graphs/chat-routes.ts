import { ToolMessage, type AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatStateType } from "./chat-state.js";

/** Limits that keep one turn of the chat bounded, enforced outside the model. */
export interface ChatLimits {
  /** Model calls per turn; the last one must answer. */
  maxModelCalls: number;
  /** Tool calls per turn; past it the model answers without tools. */
  maxToolCalls: number;
  /** Earlier turns the model sees besides the current one. */
  historyTurns: number;
  /** Turns the conversation keeps stored; older messages are removed from the checkpoint. */
  keptTurns: number;
}

/** Defaults of the chat limits. */
export const DEFAULT_CHAT_LIMITS: ChatLimits = { maxModelCalls: 8, maxToolCalls: 10, historyTurns: 6, keptTurns: 20 };

/** After the assistant: run its tool calls, or end the turn with its answer. */
export function routeAfterChatAssistant(state: Pick<ChatStateType, "messages">): "tools" | "__end__" {
  const last = state.messages.at(-1);
  return last?.getType() === "ai" && ((last as AIMessage).tool_calls?.length ?? 0) > 0 ? "tools" : "__end__";
}

/** Index of the first message of the last `turns` questions (0 when there are fewer). */
function turnStart(messages: readonly BaseMessage[], turns: number): number {
  let seen = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.getType() === "human" && ++seen === turns) return i;
  }
  return 0;
}

/** What an earlier turn's tool result keeps in front of the model; the current turn's stay whole. */
const EARLIER_RESULT_CHARS = 1_500;

/**
 * What the model sees: the current question with `historyTurns` earlier turns, without calls whose
 * results never came (a turn the operator abandoned mid-call) and results whose call is gone: an
 * LLM endpoint refuses both. Earlier turns' tool results are cut short: their answers said what
 * mattered, and a long conversation would otherwise resend every report it read.
 */
export function chatHistory(messages: readonly BaseMessage[], historyTurns: number): BaseMessage[] {
  const recent = messages.slice(turnStart(messages, historyTurns + 1));
  const current = turnStart(recent, 1);
  const answered = new Set(recent.filter((m) => m.getType() === "tool").map((m) => (m as ToolMessage).tool_call_id));
  const kept: BaseMessage[] = [];
  const calls = new Set<string>();
  for (const [i, m] of recent.entries()) {
    if (m.getType() === "ai") {
      const ids = ((m as AIMessage).tool_calls ?? []).map((c) => c.id ?? "");
      if (ids.length > 0 && !ids.every((id) => answered.has(id))) continue;
      ids.forEach((id) => calls.add(id));
    }
    if (m.getType() === "tool") {
      const tm = m as ToolMessage;
      if (!calls.has(tm.tool_call_id)) continue;
      const text = typeof tm.content === "string" ? tm.content : JSON.stringify(tm.content);
      if (i < current && text.length > EARLIER_RESULT_CHARS) {
        kept.push(new ToolMessage({ id: tm.id, tool_call_id: tm.tool_call_id, name: tm.name, content: `${text.slice(0, EARLIER_RESULT_CHARS)}…[cut: an earlier turn's result]` }));
        continue;
      }
    }
    kept.push(m);
  }
  return kept;
}

/** Ids of the stored messages older than the last `keptTurns` questions (removed at a turn's start). */
export function staleMessageIds(messages: readonly BaseMessage[], keptTurns: number): string[] {
  return messages.slice(0, turnStart(messages, keptTurns)).flatMap((m) => (m.id ? [m.id] : []));
}
