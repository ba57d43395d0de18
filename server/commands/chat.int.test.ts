import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";
import { startHarness, type Harness } from "../testing/harness.js";
import { runChatCommand, type ChatIo } from "./chat.js";

/** Runs the chat command against `url` with `token`, capturing its lines and its streamed text. */
async function run(url: string, token: string | undefined, args: { message?: string }, io: Omit<ChatIo, "write"> = {}) {
  const config = loadConfig({ AUTOPILOT_URL: url, ...(token ? { AUTOPILOT_TOKEN: token } : {}), LOG_LEVEL: "silent" } as NodeJS.ProcessEnv);
  const lines: string[] = [];
  let text = "";
  const bodies: Array<Record<string, unknown>> = [];
  const recording: typeof fetch = async (input, init) => {
    if (typeof init?.body === "string") bodies.push(JSON.parse(init.body) as Record<string, unknown>);
    return fetch(input, init);
  };
  // Both streams in one transcript, in the order they were written.
  const code = await runChatCommand(config, args, (line) => ((text += `${line}\n`), lines.push(line)), { fetch: recording, ...io, write: (t) => (text += t) });
  return { code, lines, text, bodies };
}

describe("npx autopilot chat against a running server", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ scenario: "ndcg-drop" });
  });
  afterAll(async () => h?.close());

  it("answers one question, the tool call on its own line and the answer as it streamed", async () => {
    const { code, lines, text } = await run(h.url, h.tokens.operator, { message: "what is p95 latency of search now?" });
    expect(code).toBe(0);
    expect(lines).toEqual(["  · prometheus_get_signal: allow, success"]);
    expect(text).toMatch(/^ {2}· prometheus_get_signal: allow, success\np95 latency of search is \d\.\d{3}, .* Read from search:latency_p95_seconds at 2026-11-20 \d\d:\d\d UTC; the unit is seconds\.\n$/);
  });

  it("reads piped questions one per line, in one conversation, and shows the approval a request opened", async () => {
    const input = Readable.from(["retrain the reranker\n", "\n", "what is pending approval?\n"]);
    const { code, text, bodies } = await run(h.url, h.tokens.operator, {}, { input, interactive: false });
    expect(code).toBe(0);
    const approval = /→ approval (ap_[0-9a-f]+) requested/.exec(text)?.[1];
    expect(approval).toMatch(/^ap_/);
    expect(text).toContain(`- ${approval}: autopilot_request_cycle`);
    expect(text).not.toContain("you>");
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toEqual({ message: "retrain the reranker" });
    expect(bodies[1]).toEqual({ message: "what is pending approval?", conversation_id: expect.stringMatching(/^chat_[0-9a-f]{24}$/) });
  });

  it("greets and prompts on a terminal, and leaves at /exit", async () => {
    const input = Readable.from(["list the cycles\n", "/exit\n", "what is pending approval?\n"]);
    const { code, text, bodies } = await run(h.url, h.tokens.operator, {}, { input, interactive: true });
    expect(code).toBe(0);
    expect(text.startsWith(`Chat with the supervisor at ${h.url}.`)).toBe(true);
    expect(text.match(/you> /g)).toHaveLength(2);
    expect(bodies).toEqual([{ message: "list the cycles" }]);
  });

  it("says which variable is missing, which server is out of reach, and when the server refuses the token", async () => {
    const missing = await run(h.url, undefined, { message: "hi" });
    expect(missing.code).toBe(1);
    expect(missing.lines[0]).toMatch(/^error: AUTOPILOT_TOKEN is not set/);
    const unreachable = await run("http://127.0.0.1:9", h.tokens.operator, { message: "hi" });
    expect(unreachable.code).toBe(1);
    expect(unreachable.lines[0]).toMatch(/^error: cannot reach the autopilot server at http:\/\/127\.0\.0\.1:9 /);
    const refused = await run(h.url, "apt_not-a-real-token", {}, { input: Readable.from(["hi\n", "hello\n"]), interactive: false });
    expect(refused.code).toBe(1);
    expect(refused.lines).toHaveLength(1);
    expect(refused.lines[0]).toMatch(/^error: the server refused POST \/api\/v1\/chat \(401 unauthenticated\)/);
    const viewer = await run(h.url, h.tokens.viewer, { message: "hi" });
    expect(viewer.lines[0]).toMatch(/\(403 forbidden\): this route needs the operator role/);
    // The tokens are never echoed.
    expect(JSON.stringify([missing, unreachable, refused, viewer])).not.toMatch(/apt_not-a-real-token|apt_[A-Za-z0-9_-]{20,}/);
  });

  it("reads a real process's piped stdin", async () => {
    const script = 'import { loadConfig } from "./server/config.ts"; import { runChatCommand } from "./server/commands/chat.ts"; process.exitCode = await runChatCommand(loadConfig(), {}, (l) => console.log(l));';
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: new URL("../..", import.meta.url).pathname,
      env: { ...process.env, AUTOPILOT_URL: h.url, AUTOPILOT_TOKEN: h.tokens.operator, LOG_LEVEL: "silent" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stdin.end("what is pending approval?\n");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}· autopilot_list_approvals: allow, (success|no_data)\n/);
    expect(stdout).toMatch(/\n(\d+ approvals? waits?:\n- ap_|No approval is pending\.)/);
  });
});
