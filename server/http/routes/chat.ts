import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import type { Autopilot } from "../../autopilot.js";
import { CONVERSATION_ID_PATTERN, isChatError, type ChatEvent } from "../../chat/index.js";
import { principalOf, type Guards } from "../auth.js";
import { validationHook } from "../body.js";
import { HttpError } from "../errors.js";
import { errorResponses, jsonBody } from "../openapi.js";

const ChatRequest = z
  .object({
    message: z.string().trim().min(1, "a message needs at least one character").max(4000, "a message has at most 4000 characters").openapi({
      description: "The operator's question or request, 1-4000 characters.",
      example: "why did the last cycle roll back?",
    }),
    conversation_id: z.string().regex(CONVERSATION_ID_PATTERN, "a conversation id: chat_ and 24 hex digits").optional().openapi({
      description: "Continue this conversation (one of yours); omit to start one. The `meta` event names the id.",
      example: "chat_0123456789abcdef01234567",
    }),
  })
  .openapi("ChatRequest");

const EVENTS = [
  "`meta` {conversation_id, turn, model} first;",
  "`token` {text} as the answer is written (an LLM's tokens, the runbook's words);",
  "`tool` {tool, input, decision, status} for every tool call and the policy's decision on it;",
  "`action` {kind: approval|cycle, id, summary} when a request opens an approval or queues a cycle;",
  "`done` {conversation_id, answer, actions} last, or `error` {code, message} when the turn fails.",
].join(" ");

const route = createRoute({
  method: "post",
  path: "/",
  tags: ["chat"],
  summary: "Ask the supervisor: the answer streams as server-sent events",
  description:
    "Read-only questions are answered with read-only tools; a change is requested as a cycle, which the policy gate runs now, puts to an approver, or refuses with its reasons. " +
    "Every tool call passes the gate with the operator as principal. Disconnecting stops the work the answer still needed.",
  request: { body: jsonBody(ChatRequest) },
  responses: {
    200: { description: `The answer as \`text/event-stream\`: ${EVENTS}`, content: { "text/event-stream": { schema: z.string() } } },
    ...errorResponses(404, 409),
  },
});

/** A comment line keeps proxies from closing a stream that waits on a slow tool. */
const KEEPALIVE_MS = 15_000;

/** `POST /api/v1/chat`: the operator's chat with the supervisor (operator role). */
export function chatRoutes(ap: Autopilot, guards: Guards) {
  return new OpenAPIHono({ defaultHook: validationHook }).openapi({ ...route, middleware: guards.operator }, async (c) => {
    const { message, conversation_id } = c.req.valid("json");
    const principal = principalOf(c);
    const controller = new AbortController();
    const events = ap.chat.turn({ operator: { name: principal.name, role: principal.role }, message, conversationId: conversation_id }, controller.signal);
    // The first event comes once the turn may start: refusals are plain HTTP errors, not a stream.
    let first: IteratorResult<ChatEvent, void>;
    try {
      first = await events.next();
    } catch (error) {
      if (isChatError(error)) throw new HttpError(error.code === "conversation_busy" ? 409 : 404, error.code, error.message);
      throw error;
    }
    c.header("X-Accel-Buffering", "no");
    return streamSSE(c, async (stream) => {
      // A client that leaves stops the model and the tools this answer still needed.
      stream.onAbort(() => controller.abort(new Error("the client disconnected")));
      const keepalive = setInterval(() => void stream.write(": keepalive\n\n").catch(() => undefined), KEEPALIVE_MS);
      try {
        if (!first.done) await stream.writeSSE({ event: first.value.event, data: JSON.stringify(first.value.data) });
        for await (const event of events) {
          if (stream.aborted) break;
          await stream.writeSSE({ event: event.event, data: JSON.stringify(event.data) });
        }
      } finally {
        clearInterval(keepalive);
        await events.return();
      }
    });
  });
}
