import type { ChatRequest, ScriptedReply } from "./openai-stub.js";

/** Answers a paraphrase request (a JSON array of queries) the way a well-behaved model would. */
export function paraphraseScript(request: ChatRequest): ScriptedReply {
  const user = request.messages.find((m) => m.role === "user")?.content ?? "";
  const start = user.indexOf("[");
  const queries = start >= 0 ? (JSON.parse(user.slice(start)) as string[]) : [];
  return { text: JSON.stringify(queries.map((q) => `${q} near me`)) };
}
