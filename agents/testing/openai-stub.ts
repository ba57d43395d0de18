import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { decide } from "../runbook/index.js";
import { readBody } from "../../tools/testing/read-body.js";

/** An OpenAI chat-completions request as the stub sees it. */
export interface ChatRequest {
  model: string;
  messages: Array<{ role: string; content: string | null; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>; tool_call_id?: string; name?: string }>;
  tools?: Array<{ type: string; function: { name: string } }>;
}

/** What the stub answers: a tool call, text, or an HTTP failure. */
export type ScriptedReply = { toolCall: { name: string; args: Record<string, unknown> } } | { text: string } | { httpStatus: number; body?: unknown };

/** Options of the stub. */
export interface OpenAiStubOptions {
  /** Decides each reply; defaults to the runbook's decision on the same conversation. */
  script?: (request: ChatRequest, index: number) => ScriptedReply;
  /** Bearer key the stub requires, if any. */
  apiKey?: string;
}

/** A running stub with the requests it received. */
export interface OpenAiStub {
  url: string;
  requests: ChatRequest[];
  close(): Promise<void>;
}

/**
 * A local OpenAI-compatible server (POST /v1/chat/completions, non-streaming) for tests: it
 * follows the documented request and response shapes, so ChatOpenAI talks to it over real HTTP.
 * By default it answers what the runbook model would, turning a whole cycle into scripted calls.
 */
export async function startOpenAiStub(options: OpenAiStubOptions = {}): Promise<OpenAiStub> {
  const requests: ChatRequest[] = [];
  const script = options.script ?? runbookScript;
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) return send(404, { error: { message: "not found", type: "invalid_request_error" } });
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) return send(401, { error: { message: "Incorrect API key provided", type: "invalid_request_error" } });
    const request = JSON.parse(await readBody(req)) as ChatRequest;
    const index = requests.push(request) - 1;
    const reply = script(request, index);
    if ("httpStatus" in reply) return send(reply.httpStatus, reply.body ?? { error: { message: "scripted failure", type: "server_error" } });
    const promptTokens = Math.ceil(JSON.stringify(request.messages).length / 4);
    const message =
      "toolCall" in reply
        ? { role: "assistant", content: null, tool_calls: [{ id: `call_${index}`, type: "function", function: { name: reply.toolCall.name, arguments: JSON.stringify(reply.toolCall.args) } }] }
        : { role: "assistant", content: reply.text };
    send(200, {
      id: `chatcmpl-${index}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [{ index: 0, message, finish_reason: "toolCall" in reply ? "tool_calls" : "stop" }],
      usage: { prompt_tokens: promptTokens, completion_tokens: 20, total_tokens: promptTokens + 20 },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Replies with the runbook's decision on the conversation the request carries. */
export function runbookScript(request: ChatRequest): ScriptedReply {
  const decision = decide(toLangChain(request.messages));
  const bound = new Set((request.tools ?? []).map((t) => t.function.name));
  if (decision.kind === "call" && bound.has(decision.tool)) return { toolCall: { name: decision.tool, args: decision.args } };
  return { text: decision.kind === "answer" ? decision.text : "done" };
}

function toLangChain(messages: ChatRequest["messages"]): BaseMessage[] {
  return messages.map((m) => {
    const content = m.content ?? "";
    switch (m.role) {
      case "system":
      case "developer":
        return new SystemMessage(content);
      case "assistant":
        return new AIMessage({
          content,
          tool_calls: (m.tool_calls ?? []).map((c) => ({ id: c.id, name: c.function.name, args: JSON.parse(c.function.arguments) as Record<string, unknown>, type: "tool_call" as const })),
        });
      case "tool":
        return new ToolMessage({ tool_call_id: m.tool_call_id ?? "", content });
      default:
        return new HumanMessage(content);
    }
  });
}

