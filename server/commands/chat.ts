import { createInterface } from "node:readline";
import type { Config } from "../config.js";
import { createApiClient, isApiClientError, type ApiClient } from "./api-client.js";

/** The terminal the chat talks through (tests give their own). */
export interface ChatIo {
  /** Where questions come from: a terminal, or piped lines (default stdin). */
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Where the streamed answer is written as it arrives, without line breaks of its own (default stdout). */
  write?: (text: string) => void;
  /** A prompt and a greeting (default: when the input is a terminal). */
  interactive?: boolean;
  fetch?: typeof fetch;
}

/** What one turn came to. */
type TurnResult = "ok" | "failed" | "fatal";

/**
 * `autopilot chat [MESSAGE]`: the chat with the supervisor through a running server (AUTOPILOT_URL,
 * AUTOPILOT_TOKEN). With a message, one question and its answer; without, one question per line,
 * from a terminal (a `you>` prompt, `/exit` to leave) or piped in, all in one conversation. The
 * answer is printed as it streams; tool calls with the policy's decision, and the approvals opened
 * or cycles queued, on lines of their own. Exits 1 when a turn failed, at once when the server
 * cannot be reached or refuses the token.
 */
export async function runChatCommand(config: Config, args: { message?: string }, out: (line: string) => void, io: ChatIo = {}): Promise<number> {
  const client = createApiClient({ url: config.client.url, token: config.client.token, fetch: io.fetch });
  const write = io.write ?? ((text: string) => void process.stdout.write(text));
  const session = { conversationId: undefined as string | undefined };
  if (args.message !== undefined) return (await turn(client, args.message, session, out, write)) === "ok" ? 0 : 1;

  const input = io.input ?? process.stdin;
  const interactive = io.interactive ?? input.isTTY === true;
  const lines = createInterface({ input, terminal: false, crlfDelay: Infinity });
  const prompt = () => interactive && write("you> ");
  if (interactive) out(`Chat with the supervisor at ${client.url}. Ask about cycles, metrics and approvals, or request a change; /exit to leave.`);
  let failed = false;
  prompt();
  try {
    for await (const raw of lines) {
      const line = raw.trim();
      if (line === "/exit" || line === "/quit") break;
      if (line) {
        const result = await turn(client, line, session, out, write);
        if (result === "fatal") return 1;
        failed ||= result === "failed";
      }
      prompt();
    }
  } finally {
    lines.close();
  }
  return failed ? 1 : 0;
}

/** Asks one question, printing the answer as it streams; keeps the conversation id for the next. */
async function turn(client: ApiClient, message: string, session: { conversationId: string | undefined }, out: (line: string) => void, write: (text: string) => void): Promise<TurnResult> {
  let midLine = false;
  const line = (text: string) => {
    if (midLine) write("\n");
    midLine = false;
    out(text);
  };
  try {
    const body = { message, ...(session.conversationId ? { conversation_id: session.conversationId } : {}) };
    for await (const { event, data } of client.stream("POST", "/api/v1/chat", body)) {
      const d = (data ?? {}) as Record<string, unknown>;
      switch (event) {
        case "meta":
          session.conversationId = String(d.conversation_id);
          break;
        case "token":
          write(String(d.text ?? ""));
          midLine = true;
          break;
        case "tool":
          line(`  · ${String(d.tool)}: ${d.decision === null ? "not run" : String(d.decision)}, ${String(d.status)}`);
          break;
        case "action":
          line(d.kind === "approval" ? `  → approval ${String(d.id)} requested: approve it in the console or with \`npx autopilot approve ${String(d.id)}\`` : `  → cycle ${String(d.id)} queued: ${String(d.summary)}`);
          break;
        case "done":
          if (midLine) write("\n");
          midLine = false;
          return "ok";
        case "error":
          line(`error: ${String(d.message)} (${String(d.code)})`);
          return "failed";
      }
    }
    line("error: the server ended the answer before it was done");
    return "failed";
  } catch (error) {
    if (!isApiClientError(error)) throw error;
    line(`error: ${error.message}`);
    // Without a server or a valid token, no later question can do better.
    const fatal = error.status === null || error.status === 401 || error.status === 403;
    // An unknown conversation (another replica's database, a revoked owner) starts afresh next time.
    if (error.status === 404) session.conversationId = undefined;
    return fatal ? "fatal" : "failed";
  }
}
