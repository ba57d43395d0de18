import { Annotation, messagesStateReducer } from "@langchain/langgraph";
import type { BaseMessage } from "@langchain/core/messages";

/** The turn the chat is answering: one operator message and the calls that answer it. */
export interface ChatTurn {
  /** 1 for the first message of the conversation. */
  number: number;
  startedAt: string;
  /** Model calls made for this turn (limited by ChatLimits). */
  modelCalls: number;
  /** Tool calls made for this turn (limited by ChatLimits). */
  toolCalls: number;
}

/** Something the chat set in motion: an approval request opened, or a cycle queued. */
export interface ChatAction {
  turn: number;
  kind: "approval" | "cycle";
  /** The approval id (ap_…) or the cycle id (si_…). */
  id: string;
  tool: string;
  summary: string;
  at: string;
}

/** The state of one conversation; the LangGraph thread id is the conversation id. */
export const ChatState = Annotation.Root({
  /** `chat_<hex>`, the thread id. */
  conversationId: Annotation<string>,
  /** The operator who started the conversation; only they may continue it. Set once. */
  owner: Annotation<string>({ reducer: (a, b) => a || b, default: () => "" }),
  /** The conversation: questions, the model's calls and answers, and tool results. */
  messages: Annotation<BaseMessage[]>({ reducer: messagesStateReducer, default: () => [] }),
  /** The turn being answered; replaced by every new question. */
  turn: Annotation<ChatTurn>,
  /** Approvals opened and cycles queued by this conversation, in order. */
  actions: Annotation<ChatAction[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

/** The state of a conversation. */
export type ChatStateType = typeof ChatState.State;
/** A partial update of a conversation's state. */
export type ChatUpdate = typeof ChatState.Update;
