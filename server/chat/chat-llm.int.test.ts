import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAiChatStub, type OpenAiChatStub, type StreamedReply } from "../../agents/testing/openai-chat-stub.js";
import type { ChatRequest } from "../../agents/testing/openai-stub.js";
import { startHarness, type Harness } from "../testing/harness.js";
import { createSseParser, type SseEvent } from "../commands/api-client.js";

const KEY = "sk-test-chat-0123456789abcdef";

/** The LLM's side of the conversation: what the last user message asks, and whether a tool answered since. */
function script(request: ChatRequest): StreamedReply {
  const lastUser = request.messages.findLast((m) => m.role === "user")?.content ?? "";
  const answered = request.messages.at(-1)?.role === "tool";
  if (lastUser.includes("endpoint down")) return { httpStatus: 500 };
  if (lastUser.includes("think forever")) return { hang: "Let me think about that" };
  if (lastUser.includes("pending")) return answered ? { text: "Nothing waits for an approval right now." } : { call: { name: "autopilot_list_approvals", args: {} } };
  return { text: "I can only help with the autopilot." };
}

describe("the chat over HTTP with an OpenAI-compatible model", () => {
  let stub: OpenAiChatStub;
  let h: Harness;
  beforeAll(async () => {
    stub = await startOpenAiChatStub(script);
    h = await startHarness({ scenario: "ndcg-drop", env: { OPENAI_BASE_URL: stub.url, OPENAI_API_KEY: KEY, OPENAI_MAX_RETRIES: "0", OPENAI_MODEL: "test-llm" } });
  });
  afterAll(async () => {
    await h?.close();
    await stub?.close();
  });

  const post = (body: unknown, signal?: AbortSignal) =>
    fetch(`${h.url}/api/v1/chat`, { method: "POST", headers: { authorization: `Bearer ${h.tokens.operator}`, "content-type": "application/json" }, body: JSON.stringify(body), signal });

  it("streams the model's own tokens, with its tool calls through the gate", async () => {
    const events = createSseParser().push(await (await post({ message: "what is pending approval?" })).text());
    expect(events[0]).toMatchObject({ event: "meta", data: { model: "openai:test-llm", turn: 1 } });
    expect(events.filter((e) => e.event === "tool").map((e) => e.data)).toEqual([{ tool: "autopilot_list_approvals", input: {}, decision: "allow", status: "no_data" }]);
    expect(events.filter((e) => e.event === "token").map((e) => (e.data as { text: string }).text)).toEqual(["Nothing", " waits", " for", " an", " approval", " right", " now."]);
    expect(events.at(-1)).toMatchObject({ event: "done", data: { answer: "Nothing waits for an approval right now." } });
    // The model streamed, saw the chat's prompt and tools only, and the tool's result.
    const [first, second] = stub.requests.slice(-2);
    expect(first!.stream).toBe(true);
    expect(first!.messages[0]!.content).toContain("Operator: olivia (operator)");
    expect(first!.tools?.map((t) => t.function.name)).toContain("autopilot_request_cycle");
    expect(first!.tools?.map((t) => t.function.name)).not.toContain("argocd_rollback_application");
    expect(second!.messages.at(-1)).toMatchObject({ role: "tool" });
    expect(JSON.stringify(events)).not.toContain(KEY);
  });

  it("falls back to the runbook when the endpoint fails", async () => {
    const events = createSseParser().push(await (await post({ message: "is anything pending? (endpoint down)" })).text());
    expect(events.filter((e) => e.event === "tool").map((e) => (e.data as { tool: string }).tool)).toEqual(["autopilot_list_approvals"]);
    expect(events.at(-1)).toMatchObject({ event: "done", data: { answer: "No approval is pending." } });
  });

  it("stops the model's request when the client disconnects", async () => {
    const controller = new AbortController();
    const res = await post({ message: "think forever" }, controller.signal);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const parser = createSseParser();
    const seen: SseEvent[] = [];
    while (!seen.some((e) => e.event === "token")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen.push(...parser.push(value));
    }
    expect(seen.find((e) => e.event === "token")?.data).toEqual({ text: "Let" });
    const hanging = stub.requests.length - 1;
    controller.abort();
    await stub.closed;
    expect(stub.closedEarly).toEqual([hanging]);
  });
});
