import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../testing/harness.js";
import { createSseParser, type SseEvent } from "../commands/api-client.js";
import { createChatTurnsRepo, type CycleRow } from "../store/index.js";
import { runApprovedRequest } from "./requests.js";

/** POSTs to the chat and reads the whole event stream (or the error body of a refusal). */
async function chat(h: Harness, token: string | undefined, body: unknown): Promise<{ status: number; events: SseEvent[]; error: { code: string; message: string; details: Record<string, unknown> } | null }> {
  const res = await h.api("POST", "/api/v1/chat", token, body);
  if (res.headers.get("content-type")?.startsWith("text/event-stream") !== true) return { status: res.status, events: [], error: ((await res.json()) as { error: never }).error };
  const events = createSseParser().push(await res.text());
  return { status: res.status, events, error: null };
}
const data = <T = Record<string, unknown>>(events: SseEvent[], name: string) => events.filter((e) => e.event === name).map((e) => e.data as T);
const answerOf = (events: SseEvent[]) => data<{ answer: string }>(events, "done")[0]?.answer ?? "";

describe("the chat over HTTP, after a production cycle that rolled back (bad-deploy)", () => {
  let h: Harness;
  let cycle: CycleRow;
  beforeAll(async () => {
    h = await startHarness({ scenario: "bad-deploy" });
    cycle = await h.runScenario();
  });
  afterAll(async () => h?.close());

  it("answers a read-only question with the sandbox Prometheus' number, streamed token by token", async () => {
    const { status, events } = await chat(h, h.tokens.operator, { message: "what is p95 latency of search now?" });
    expect(status).toBe(200);
    expect(events[0]).toEqual({ event: "meta", data: { conversation_id: expect.stringMatching(/^chat_[0-9a-f]{24}$/), turn: 1, model: "runbook" } });
    expect(data(events, "tool")).toEqual([{ tool: "prometheus_get_signal", input: { signal: "latency_p95", service: "search" }, decision: "allow", status: "success" }]);
    const [sample] = await h.ap.platform.clients.prometheus.query('search:latency_p95_seconds{service="search",variant=~"all|"}', { time: h.ap.platform.clock.now() });
    const answer = answerOf(events);
    expect(answer).toContain(`p95 latency of search is ${sample!.value.toFixed(3)}`);
    const tokens = data<{ text: string }>(events, "token").map((t) => t.text);
    expect(tokens.length).toBeGreaterThan(5);
    expect(tokens.join("")).toBe(answer);
    expect(events.at(-1)!.event).toBe("done");
  });

  it("explains why the last cycle rolled back, from its report", async () => {
    expect(cycle.outcome).toBe("rolled_back");
    const { events } = await chat(h, h.tokens.operator, { message: "why did the last cycle roll back?" });
    expect(data(events, "tool").map((t) => t.tool)).toEqual(["autopilot_list_cycles", "autopilot_get_cycle"]);
    const answer = answerOf(events);
    expect(answer).toContain(`Cycle ${cycle.id} (search, ndcg_drop, production) ended rolled_back: Rolled back after the deploy degraded (search:latency_p95_seconds).`);
    expect(answer).toMatch(/The watch after the deploy found search:latency_p95_seconds at 1\.4\d\d at 2026-11-20 \d\d:\d\d UTC, against guardrail: p95 latency over 1000 ms/);
    expect(answer).toContain("model v1 serves (Healthy)");
  });

  it("turns a change request into a pending approval, which runs once approved and queues the cycle", async () => {
    const { events } = await chat(h, h.tokens.operator, { message: "retrain the reranker on last week's data" });
    expect(data(events, "tool")).toEqual([{ tool: "autopilot_request_cycle", input: { service: "search", signal: "ndcg_drop", reason: "retrain the reranker on last week's data" }, decision: "require_approval", status: "approval_required" }]);
    const [action] = data<{ kind: string; id: string }>(events, "action");
    expect(action).toMatchObject({ kind: "approval", id: expect.stringMatching(/^ap_/) });
    expect(answerOf(events)).toContain(`Your request waits for an approval: ${action!.id}`);
    const pending = (await (await h.api("GET", "/api/v1/approvals", h.tokens.viewer)).json()) as { approvals: Array<Record<string, unknown>> };
    expect(pending.approvals).toEqual([
      expect.objectContaining({ id: action!.id, cycleId: null, tool: "autopilot_request_cycle", principal: { type: "Operator", id: "olivia", role: "operator" }, reasons: ["operators and admins may call write and destructive tools with an approval"] }),
    ]);
    // Nothing was queued yet.
    const before = (await (await h.api("GET", "/api/v1/cycles", h.tokens.viewer)).json()) as { cycles: Array<{ id: string }> };
    expect(before.cycles.map((c) => c.id)).toEqual([cycle.id]);

    // The one who asked does not approve it; another operator does, and the approval runs the call.
    const own = await h.api("POST", `/api/v1/approvals/${action!.id}/approve`, h.tokens.operator, { reason: "mine" });
    expect(own.status).toBe(403);
    expect(((await own.json()) as { error: { code: string } }).error.code).toBe("own_request");
    const approved = await h.api("POST", `/api/v1/approvals/${action!.id}/approve`, h.tokens.admin, { reason: "go" });
    expect(approved.status).toBe(200);
    expect(((await approved.json()) as { ran: unknown }).ran).toMatchObject({ status: "executed", result: "success" });
    const decided = (await h.ap.store.audit.list({ limit: 5000 })).filter((e) => e.tool === "autopilot_request_cycle" && e.kind === "policy_decision").map((e) => [e.actor.id, e.decision, (e.data as { approval_id: string | null }).approval_id]);
    expect(decided).toEqual([
      ["olivia", "require_approval", null],
      ["olivia", "allow", action!.id],
    ]);
    const after = (await (await h.api("GET", "/api/v1/cycles", h.tokens.viewer)).json()) as { cycles: Array<{ id: string; status: string; signal: string; trigger: { alertname: string; annotations: Record<string, string> } }> };
    expect(after.cycles[0]).toMatchObject({ status: "queued", signal: "ndcg_drop", trigger: { alertname: "CycleRequested", annotations: { summary: "retrain the reranker on last week's data" } } });
    // The approval is spent (used once): running it again does nothing.
    expect((await h.ap.store.approvals.get(action!.id))!.status).toBe("used");
    expect(await runApprovedRequest({ approvals: h.ap.store.approvals, gate: h.ap.gate, environment: h.ap.environment }, action!.id)).toBeNull();
    expect(((await (await h.api("GET", "/api/v1/cycles", h.tokens.viewer)).json()) as { cycles: unknown[] }).cycles).toHaveLength(2);
  });

  it("continues a conversation by its id, for its owner only, from another replica too", async () => {
    const first = await chat(h, h.tokens.operator, { message: "what is pending approval?" });
    const id = data<{ conversation_id: string }>(first.events, "meta")[0]!.conversation_id;
    const second = await chat(h, h.tokens.operator, { message: "list the cycles", conversation_id: id });
    expect(second.events[0]).toEqual({ event: "meta", data: { conversation_id: id, turn: 2, model: "runbook" } });
    expect(data(second.events, "done")[0]).toMatchObject({ conversation_id: id });
    const stranger = await chat(h, h.tokens.admin, { message: "hello", conversation_id: id });
    expect(stranger).toMatchObject({ status: 404, error: { code: "conversation_not_found" } });
    const unknown = await chat(h, h.tokens.operator, { message: "hello", conversation_id: "chat_000000000000000000000000" });
    expect(unknown).toMatchObject({ status: 404, error: { code: "conversation_not_found" } });

    const replica = await startHarness({ scenario: "bad-deploy", db: h.db });
    try {
      const third = await chat(replica, replica.tokens.operator, { message: "what is p95 latency now?", conversation_id: id });
      expect(third.events[0]).toEqual({ event: "meta", data: { conversation_id: id, turn: 3, model: "runbook" } });
      expect(answerOf(third.events)).toMatch(/^p95 latency of search is /);
      // While a turn of another replica holds the conversation, this one refuses a second message.
      const turns = createChatTurnsRepo(h.db);
      expect(await turns.claim(id, "a-replica-mid-turn", new Date(), 60_000)).toBe(true);
      expect(await chat(h, h.tokens.operator, { message: "list the cycles", conversation_id: id })).toMatchObject({ status: 409, error: { code: "conversation_busy" } });
      await turns.release(id, "a-replica-mid-turn");
      expect(data((await chat(replica, replica.tokens.operator, { message: "list the cycles", conversation_id: id })).events, "meta")[0]).toMatchObject({ turn: 4 });
    } finally {
      await replica.close();
    }
  });

  it("refuses viewers, unauthenticated callers and bodies that do not fit", async () => {
    expect(await chat(h, h.tokens.viewer, { message: "hi" })).toMatchObject({ status: 403, error: { code: "forbidden" } });
    expect(await chat(h, undefined, { message: "hi" })).toMatchObject({ status: 401 });
    const missing = await chat(h, h.tokens.operator, {});
    expect(missing).toMatchObject({ status: 400, error: { code: "invalid_body" } });
    expect(missing.error!.message).toContain("message:");
    expect(await chat(h, h.tokens.operator, { message: "   " })).toMatchObject({ status: 400, error: { code: "invalid_body", message: "message: a message needs at least one character" } });
    expect(await chat(h, h.tokens.operator, { message: "x".repeat(4001) })).toMatchObject({ status: 400, error: { message: "message: a message has at most 4000 characters" } });
    expect(await chat(h, h.tokens.operator, { message: "hi", conversation_id: "../../etc" })).toMatchObject({ status: 400, error: { message: "conversation_id: a conversation id: chat_ and 24 hex digits" } });
    expect(await chat(h, h.tokens.operator, "not json")).toMatchObject({ status: 400 });
  });

  it("is in the OpenAPI document as an operator's event stream", async () => {
    const doc = (await (await h.api("GET", "/api/v1/openapi.json", h.tokens.viewer)).json()) as { paths: Record<string, Record<string, { "x-required-role": string; responses: Record<string, { content?: Record<string, unknown> }>; requestBody: unknown }>> };
    const op = doc.paths["/api/v1/chat"]!.post!;
    expect(op["x-required-role"]).toBe("operator");
    expect(Object.keys(op.responses["200"]!.content!)).toEqual(["text/event-stream"]);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["200", "400", "401", "403", "404", "409"]));
    expect(JSON.stringify(op.requestBody)).toContain("ChatRequest");
  });

  it("shows the policy's reason when it denies a request (the kill switch is on)", async () => {
    expect((await h.api("POST", "/api/v1/optimizer/stop", h.tokens.admin, { reason: "incident" })).status).toBe(200);
    const { events } = await chat(h, h.tokens.operator, { message: "please reduce the latency of search" });
    expect(data(events, "tool")).toEqual([expect.objectContaining({ tool: "autopilot_request_cycle", decision: "deny", status: "denied" })]);
    expect(data(events, "action")).toEqual([]);
    expect(answerOf(events)).toBe("The policy refused the request: the kill switch is on: no tool that changes a system may run.");
  });
});

describe("the chat over HTTP in dev's sandbox", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ scenario: "finance-news-import-dev" });
  });
  afterAll(async () => h?.close());

  it("queues the requested cycle at once, as the dev policy allows", async () => {
    const { events } = await chat(h, h.tokens.operator, { message: "fix the recall of search" });
    expect(data(events, "tool")).toEqual([{ tool: "autopilot_request_cycle", input: { service: "search", signal: "recall_drop", reason: "fix the recall of search" }, decision: "allow", status: "success" }]);
    const [action] = data<{ kind: string; id: string }>(events, "action");
    expect(action).toMatchObject({ kind: "cycle", id: expect.stringMatching(/^si_/) });
    expect(answerOf(events)).toMatch(new RegExp(`^Queued cycle ${action!.id} for recall_drop of search in dev\\.`));
    const cycles = (await (await h.api("GET", "/api/v1/cycles", h.tokens.viewer)).json()) as { cycles: Array<{ id: string; status: string; environment: string }> };
    expect(cycles.cycles).toEqual([expect.objectContaining({ id: action!.id, status: "queued", environment: "dev" })]);
    expect((await (await h.api("GET", "/api/v1/approvals", h.tokens.viewer)).json()) as unknown).toEqual({ approvals: [] });
  });
});
