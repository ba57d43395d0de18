import { Writable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import { ALL_TOOLS } from "../../tools/index.js";
import { DEFAULT_POLICY_DIR, loadPolicyEngine, type PolicyEngine } from "../../policies/index.js";
import { ScriptedChatModel, scriptedProvider } from "../../agents/testing/scripted-chat-model.js";
import { chatFixture } from "../../graphs/testing/chat-fixture.js";
import { createLogger } from "../logger.js";
import { createChatService, type ChatService } from "./service.js";
import { isChatError, type ChatEvent } from "./events.js";

const OLIVIA = { name: "olivia", role: "operator" };
const SECRET = "sk-live-0123456789abcdef";

/** Streams one word, then waits until the run is aborted (a slow LLM the client gives up on). */
class HangingModel extends ScriptedChatModel {
  aborted = false;
  constructor() {
    super([{ text: "unused" }]);
  }
  override async *_streamResponseChunks(_m: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): AsyncGenerator<ChatGenerationChunk> {
    const chunk = new ChatGenerationChunk({ text: "Thinking", message: new AIMessageChunk({ content: "Thinking" }) });
    yield chunk;
    await runManager?.handleLLMNewToken("Thinking", undefined, undefined, undefined, undefined, { chunk });
    await new Promise<void>((resolve) => options.signal?.addEventListener("abort", () => resolve(), { once: true }));
    this.aborted = true;
    options.signal?.throwIfAborted();
  }
}

/** Fails the way an upstream can, with a secret in its message. */
class FailingModel extends ScriptedChatModel {
  constructor() {
    super([{ text: "unused" }]);
  }
  override async _generate(): Promise<never> {
    throw new Error(`401 Incorrect API key provided: ${SECRET}`);
  }
  // eslint-disable-next-line require-yield
  override async *_streamResponseChunks(): AsyncGenerator<ChatGenerationChunk> {
    throw new Error(`401 Incorrect API key provided: ${SECRET}`);
  }
}

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await loadPolicyEngine(DEFAULT_POLICY_DIR, ALL_TOOLS);
});

function service(model: ScriptedChatModel): { chat: ChatService; logs: string[] } {
  const { graph, clock } = chatFixture({ engine, models: scriptedProvider(model) });
  const logs: string[] = [];
  const destination = new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) });
  const logger = createLogger({ level: "error", secrets: [SECRET], destination });
  return { chat: createChatService({ graph, modelName: "scripted", clock, logger, secrets: [SECRET] }), logs };
}

async function collect(events: AsyncGenerator<ChatEvent>): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe("the chat service", () => {
  it("stops the model when the client leaves, says nothing more, and frees the conversation", async () => {
    const model = new HangingModel();
    const { chat } = service(model);
    const controller = new AbortController();
    const turn = chat.turn({ operator: OLIVIA, message: "think hard" }, controller.signal);
    const meta = (await turn.next()).value as Extract<ChatEvent, { event: "meta" }>;
    expect((await turn.next()).value).toEqual({ event: "token", data: { text: "Thinking" } });
    // A second message on the same conversation waits for this one.
    const busy = chat.turn({ operator: OLIVIA, message: "again", conversationId: meta.data.conversation_id }, new AbortController().signal);
    const refused = await busy.next().catch((e: unknown) => e);
    expect(isChatError(refused) && refused.code).toBe("conversation_busy");
    controller.abort(new Error("the client disconnected"));
    expect(await collect(turn)).toEqual([]);
    expect(model.aborted).toBe(true);
    const next = chat.turn({ operator: OLIVIA, message: "again", conversationId: meta.data.conversation_id }, new AbortController().signal);
    expect((await next.next()).value).toEqual({ event: "meta", data: { conversation_id: meta.data.conversation_id, turn: 2, model: "scripted" } });
    await next.return();
  });

  it("turns a failure into a readable error event without the secret, and logs the cause redacted", async () => {
    const { chat, logs } = service(new FailingModel());
    const events = await collect(chat.turn({ operator: OLIVIA, message: "hello" }, new AbortController().signal));
    expect(events.map((e) => e.event)).toEqual(["meta", "error"]);
    const error = events[1] as Extract<ChatEvent, { event: "error" }>;
    expect(error.data.code).toBe("chat_failed");
    expect(error.data.message).toMatch(/^the chat could not finish this answer \(conversation chat_[0-9a-f]{24}\); the server's log has the cause$/);
    expect(JSON.stringify(events)).not.toContain(SECRET);
    expect(logs.join("")).toContain("401 Incorrect API key provided: [REDACTED]");
    expect(logs.join("")).not.toContain(SECRET);
  });

  it("answers only its owner, and starts a fresh conversation without an id", async () => {
    const { chat } = service(new ScriptedChatModel([{ text: "Hello." }]));
    const events = await collect(chat.turn({ operator: OLIVIA, message: "hi" }, new AbortController().signal));
    expect(events.at(-1)).toEqual({ event: "done", data: { conversation_id: expect.any(String), answer: "Hello.", actions: [] } });
    const id = (events[0] as Extract<ChatEvent, { event: "meta" }>).data.conversation_id;
    const other = await chat.turn({ operator: { name: "mallory", role: "operator" }, message: "hi", conversationId: id }, new AbortController().signal).next().catch((e: unknown) => e);
    expect(isChatError(other) && other.code).toBe("conversation_not_found");
  });
});
