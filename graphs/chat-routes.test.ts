import { describe, expect, it } from "vitest";
import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { chatHistory, routeAfterChatAssistant, staleMessageIds } from "./chat-routes.js";

const human = (text: string) => new HumanMessage({ content: text, id: `h:${text}` });
const answer = (text: string) => new AIMessage({ content: text, id: `a:${text}` });
const calling = (id: string) => new AIMessage({ content: "", id: `c:${id}`, tool_calls: [{ id, name: "autopilot_list_cycles", args: {}, type: "tool_call" }] });
const result = (id: string) => new ToolMessage({ tool_call_id: id, content: "{}", id: `t:${id}` });
const shape = (messages: BaseMessage[]) => messages.map((m) => m.id);

describe("routeAfterChatAssistant", () => {
  it("runs tools after a call and ends after an answer", () => {
    expect(routeAfterChatAssistant({ messages: [human("q"), calling("1")] })).toBe("tools");
    expect(routeAfterChatAssistant({ messages: [human("q"), answer("a")] })).toBe("__end__");
    expect(routeAfterChatAssistant({ messages: [] })).toBe("__end__");
  });
});

describe("chatHistory", () => {
  it("keeps the current question with the last turns before it", () => {
    const messages = [human("1"), answer("1"), human("2"), calling("x"), result("x"), answer("2"), human("3")];
    expect(shape(chatHistory(messages, 1))).toEqual(["h:2", "c:x", "t:x", "a:2", "h:3"]);
    expect(shape(chatHistory(messages, 0))).toEqual(["h:3"]);
    expect(shape(chatHistory(messages, 9))).toEqual(shape(messages));
  });

  it("drops a call whose result never came (an abandoned turn) and a result whose call is gone", () => {
    const messages = [human("1"), calling("lost"), human("2"), result("orphan"), calling("ok"), result("ok")];
    expect(shape(chatHistory(messages, 5))).toEqual(["h:1", "h:2", "c:ok", "t:ok"]);
  });

  it("cuts earlier turns' long tool results and keeps the current turn's whole", () => {
    const long = (id: string) => new ToolMessage({ tool_call_id: id, content: "x".repeat(5_000), id: `t:${id}` });
    const history = chatHistory([human("1"), calling("a"), long("a"), answer("1"), human("2"), calling("b"), long("b")], 5);
    expect(shape(history)).toEqual(["h:1", "c:a", "t:a", "a:1", "h:2", "c:b", "t:b"]);
    expect(String(history[2]!.content)).toMatch(/^x{1500}…\[cut: an earlier turn's result\]$/);
    expect(String(history[6]!.content)).toHaveLength(5_000);
  });
});

describe("staleMessageIds", () => {
  it("names the messages older than the kept turns, none while there are fewer", () => {
    const messages = [human("1"), answer("1"), human("2"), answer("2"), human("3")];
    expect(staleMessageIds(messages, 2)).toEqual(["h:1", "a:1"]);
    expect(staleMessageIds(messages, 3)).toEqual([]);
    expect(staleMessageIds(messages, 10)).toEqual([]);
  });
});
