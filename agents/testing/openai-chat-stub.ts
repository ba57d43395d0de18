import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "../../tools/testing/read-body.js";
import type { ChatRequest } from "./openai-stub.js";

/** What the streaming stub answers: text in pieces, a tool call, text that then hangs, or an HTTP failure. */
export type StreamedReply =
  | { text: string }
  | { call: { name: string; args: Record<string, unknown> } }
  /** Sends `text`, then keeps the response open until the client goes away. */
  | { hang: string }
  | { httpStatus: number };

/** A running stub with what it received, and which streamed requests the client closed early. */
export interface OpenAiChatStub {
  url: string;
  requests: Array<ChatRequest & { stream?: boolean }>;
  /** Indexes of the requests whose connection the client closed before the answer ended. */
  closedEarly: number[];
  /** Resolves when the client has closed a hanging request. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * A local OpenAI-compatible server for the chat: `POST /v1/chat/completions` answered as
 * `text/event-stream` chunks when the request asks `stream: true` (as ChatOpenAI does when the
 * chat graph streams), as one JSON completion otherwise. Text is sent word by word, the way a
 * model's tokens come; tool calls come as the API's tool-call deltas.
 */
export async function startOpenAiChatStub(script: (request: ChatRequest, index: number) => StreamedReply): Promise<OpenAiChatStub> {
  const requests: OpenAiChatStub["requests"] = [];
  const closedEarly: number[] = [];
  let onClosed!: () => void;
  const closed = new Promise<void>((resolve) => (onClosed = resolve));
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) return res.writeHead(404).end();
    const request = JSON.parse(await readBody(req)) as ChatRequest & { stream?: boolean };
    const index = requests.push(request) - 1;
    const reply = script(request, index);
    if ("httpStatus" in reply) return res.writeHead(reply.httpStatus, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "scripted failure", type: "server_error" } }));
    const base = { id: `chatcmpl-${index}`, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model: request.model };
    if (!request.stream) {
      const message = "call" in reply ? { role: "assistant", content: null, tool_calls: [toolCall(reply.call)] } : { role: "assistant", content: "text" in reply ? reply.text : reply.hang };
      return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ...base, object: "chat.completion", choices: [{ index: 0, message, finish_reason: "call" in reply ? "tool_calls" : "stop" }] }));
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const send = (delta: Record<string, unknown>, finish: string | null = null) => res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
    res.on("close", () => {
      if (!res.writableEnded) {
        closedEarly.push(index);
        onClosed();
      }
    });
    if ("call" in reply) {
      const call = toolCall(reply.call);
      send({ role: "assistant", content: null, tool_calls: [{ index: 0, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } }] });
      send({ tool_calls: [{ index: 0, function: { arguments: call.function.arguments } }] });
      send({}, "tool_calls");
    } else {
      const text = "text" in reply ? reply.text : reply.hang;
      send({ role: "assistant", content: "" });
      for (const piece of text.match(/\s*\S+/g) ?? []) send({ content: piece });
      if ("hang" in reply) return;
      send({}, "stop");
    }
    res.write(`data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 } })}\n\n`);
    res.end("data: [DONE]\n\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    closedEarly,
    closed,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let calls = 0;
function toolCall(call: { name: string; args: Record<string, unknown> }) {
  return { id: `call_${++calls}`, type: "function", function: { name: call.name, arguments: JSON.stringify(call.args) } };
}
