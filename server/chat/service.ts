import { randomBytes } from "node:crypto";
import { HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { GraphRecursionError } from "@langchain/langgraph";
import { errorMessage, redactSecrets, type Clock } from "../../core/index.js";
import type { ChatAction, ChatGraph, ChatStateType, ChatStreamEvent } from "../../graphs/index.js";
import type { Logger } from "../logger.js";
import type { ChatTurnsRepo } from "../store/index.js";
import type { Tracing } from "../tracing.js";
import { ChatError, type ChatEvent } from "./events.js";

/** A conversation id: `chat_` and 24 hex digits. */
export const CONVERSATION_ID_PATTERN = /^chat_[0-9a-f]{24}$/;

/** The operator a turn is for, as the API authenticated them. */
export interface ChatOperator {
  name: string;
  role: string;
}

/** What the chat service needs. */
export interface ChatServiceDeps {
  graph: ChatGraph;
  modelName: string;
  clock: Clock;
  logger: Logger;
  /** Secret values that must never reach an answer or an error. */
  secrets: readonly string[];
  /** LangSmith tracing of each turn, when it is configured. */
  tracing?: Pick<Tracing, "chatRun">;
  /** Holds a conversation for one turn across replicas (the store's chat_turns); without it, only within this process. */
  turns?: ChatTurnsRepo;
}

/** How long a turn holds its conversation: past it, a replica that died mid-turn no longer blocks the next message. */
export const TURN_LEASE_MS = 10 * 60_000;

/** The operator's chat with the supervisor. */
export interface ChatService {
  /** The chat's model: "runbook" or "openai:<model>". */
  readonly model: string;
  /**
   * Answers one message as events: `meta` first, then `token`, `tool` and `action` as they happen,
   * and `done` (or `error`). The first event is produced only once the turn may start: an unknown
   * conversation (or another operator's) or one already answering throws a ChatError instead.
   * Aborting `signal` stops the model and the tools; the conversation keeps what was stored.
   */
  turn(input: { operator: ChatOperator; message: string; conversationId?: string }, signal: AbortSignal): AsyncGenerator<ChatEvent, void, undefined>;
}

/** Steps one turn may take in the graph: model and tool calls, bounded again by the chat's limits. */
const RECURSION_LIMIT = 60;

/** Creates the chat service over the chat graph. */
export function createChatService(deps: ChatServiceDeps): ChatService {
  // A conversation answers one message at a time (two at once would fork its thread): here within
  // this process, and through `turns` across the replicas that share the database.
  const busy = new Set<string>();
  const log = deps.logger.child({ component: "chat" });

  async function* turn(input: { operator: ChatOperator; message: string; conversationId?: string }, signal: AbortSignal): AsyncGenerator<ChatEvent, void, undefined> {
    const conversationId = input.conversationId ?? `chat_${randomBytes(12).toString("hex")}`;
    const thread = { configurable: { thread_id: conversationId } };
    let number = 1;
    if (input.conversationId) {
      const values = (await deps.graph.getState(thread)).values as Partial<ChatStateType>;
      // Another operator's conversation reads as unknown: ids are not secrets, conversations are.
      if (!values.owner || values.owner !== input.operator.name) throw new ChatError("conversation_not_found", `there is no conversation ${conversationId} of yours`);
      number = (values.turn?.number ?? 0) + 1;
    }
    const stillAnswering = () => new ChatError("conversation_busy", `conversation ${conversationId} is still answering the previous message`);
    if (busy.has(conversationId)) throw stillAnswering();
    busy.add(conversationId);
    // Each turn is a trace of its own in LangSmith, when tracing is on.
    const traced = deps.tracing?.chatRun();
    // Another replica may be answering this conversation: the database says who holds it.
    const holder = randomBytes(12).toString("hex");
    try {
      if (deps.turns && !(await deps.turns.claim(conversationId, holder, new Date(), TURN_LEASE_MS))) throw stillAnswering();
    } catch (error) {
      busy.delete(conversationId);
      throw error;
    }
    try {
      yield { event: "meta", data: { conversation_id: conversationId, turn: number, model: deps.modelName } };
      const principal = { type: "Operator", id: input.operator.name, role: input.operator.role };
      const update = {
        conversationId,
        owner: input.operator.name,
        messages: [new HumanMessage(input.message)],
        turn: { number, startedAt: deps.clock.now().toISOString(), modelCalls: 0, toolCalls: 0 },
      };
      const stream = await deps.graph.stream(update, {
        ...(traced ? { callbacks: traced.callbacks } : {}),
        configurable: { thread_id: conversationId, principal },
        streamMode: ["messages", "custom"],
        signal,
        recursionLimit: RECURSION_LIMIT,
        runName: `chat ${conversationId} turn ${number}`,
        metadata: { conversation_id: conversationId, operator: input.operator.name },
        tags: ["autopilot-chat"],
      });
      let streamedFrom: string | undefined;
      for await (const [mode, chunk] of stream) {
        if (mode === "custom") {
          const e = chunk as ChatStreamEvent;
          if (e.type === "tool") yield { event: "tool", data: { tool: e.tool, input: e.input, decision: e.decision, status: e.status } };
          else yield { event: "action", data: { kind: e.kind, id: e.id, summary: e.summary } };
          continue;
        }
        const [message, meta] = chunk as [BaseMessage, { langgraph_node?: string }];
        const text = meta.langgraph_node === "assistant" && message.getType() === "ai" ? textOf(message) : "";
        if (!text) continue;
        // Text of a message before the answer (an LLM speaking before it calls a tool) stays apart from it.
        if (streamedFrom !== undefined && message.id !== streamedFrom) yield { event: "token", data: { text: "\n\n" } };
        streamedFrom = message.id;
        yield { event: "token", data: { text: redactSecrets(text, deps.secrets) } };
      }
      const state = (await deps.graph.getState(thread)).values as ChatStateType;
      const last = state.messages.at(-1);
      const answer = last?.getType() === "ai" ? redactSecrets(textOf(last), deps.secrets) : "";
      const actions = state.actions.filter((a: ChatAction) => a.turn === number).map((a) => ({ kind: a.kind, id: a.id, summary: a.summary }));
      yield { event: "done", data: { conversation_id: conversationId, answer, actions } };
    } catch (error) {
      // Nobody listens any more: the work stopped because the client left.
      if (signal.aborted) return;
      yield { event: "error", data: readable(error, conversationId, log, deps.secrets) };
    } finally {
      busy.delete(conversationId);
      await traced?.flush().catch((e: unknown) => log.warn({ err: errorMessage(e), conversation_id: conversationId }, "could not send the turn's trace"));
      await deps.turns?.release(conversationId, holder).catch((e: unknown) => log.warn({ err: errorMessage(e), conversation_id: conversationId }, "could not release the conversation; its lease lapses"));
    }
  }

  return { model: deps.modelName, turn };
}

/** The error a client sees: what it can act on, never a stack or a secret; the rest goes to the log. */
function readable(error: unknown, conversationId: string, log: Logger, secrets: readonly string[]): { code: string; message: string } {
  if (error instanceof GraphRecursionError) return { code: "too_many_steps", message: "the chat took too many steps on this message; ask something narrower" };
  log.error({ conversation_id: conversationId, err: redactSecrets(errorMessage(error), secrets) }, "chat turn failed");
  return { code: "chat_failed", message: `the chat could not finish this answer (conversation ${conversationId}); the server's log has the cause` };
}

function textOf(message: BaseMessage): string {
  const c = message.content;
  if (typeof c === "string") return c;
  return c.map((part) => (typeof part === "string" ? part : part.type === "text" && "text" in part ? String(part.text) : "")).join("");
}
