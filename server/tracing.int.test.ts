import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLangSmithSink, type LangSmithSink, type SinkRun } from "./testing/langsmith-sink.js";
import { startHarness, type Harness } from "./testing/harness.js";
import { loadScenario } from "../evals/sandbox/index.js";

const KEY = "lsv2_pt_test_0123456789";
let sink: LangSmithSink;
let h: Harness;
let cycleId: string;
let runs: SinkRun[];

beforeAll(async () => {
  sink = await startLangSmithSink();
  h = await startHarness({ scenario: "ndcg-drop", env: { LANGSMITH_TRACING: "true", LANGSMITH_API_KEY: KEY, LANGSMITH_ENDPOINT: sink.url, LANGSMITH_PROJECT: "autopilot-tests" } });
  const sandbox = h.ap.platform.sandbox!;
  sandbox.advanceToAlert(0);
  const { cycles_started } = (await (await h.webhook(sandbox.alertPayload(0))).json()) as { cycles_started: string[] };
  cycleId = cycles_started[0]!;
  // The runner flushes the cycle's trace before it reports the cycle settled.
  await h.settle(cycleId);
  runs = [...sink.runs.values()];
});
afterAll(async () => {
  await h?.close();
  await sink?.close();
});

describe("LangSmith tracing of a cycle", () => {
  it("sends the whole cycle as one trace whose root carries the cycle id", () => {
    const roots = runs.filter((r) => !r.parent_run_id);
    expect(roots).toHaveLength(1);
    const root = roots[0]!;
    expect(root.name).toBe(`cycle ${cycleId}`);
    expect(root.extra?.metadata).toMatchObject({ cycle_id: cycleId, environment: "production", signal: "ndcg_drop" });
    expect(root.end_time).toBeDefined();
    expect(runs.every((r) => r.trace_id === root.id)).toBe(true);
    expect(runs.length).toBeGreaterThan(40);
  });

  it("has the supervisor, every agent and every tool call in the tree", () => {
    const names = new Set(runs.map((r) => r.name));
    for (const agent of ["supervisor", "metrics-analyst", "data-engineer", "ml-engineer", "devops"]) expect(names, agent).toContain(agent);
    const tools = runs.filter((r) => r.run_type === "tool").map((r) => r.name);
    expect(tools).toEqual(expect.arrayContaining(["prometheus_get_signal", "dvc_augment_dataset", "h2o_train_model", "mlflow_evaluate_candidate", "argocd_sync_application", "prometheus_watch_signal"]));
    const byId = new Map(runs.map((r) => [r.id, r]));
    // A tool run hangs under the tools node of the cycle, never outside the trace.
    const sync = runs.find((r) => r.name === "argocd_sync_application")!;
    expect(byId.get(sync.parent_run_id!)?.name).toBe("tools");
  });

  it("authenticates with the key and never puts it in a run", () => {
    expect(sink.apiKeys).toEqual(new Set([KEY]));
    expect(JSON.stringify(runs)).not.toContain(KEY);
  });
});

describe("LangSmith tracing of a cycle that waits for approvals", () => {
  let sink2: LangSmithSink;
  let h2: Harness;
  let id: string;
  beforeAll(async () => {
    sink2 = await startLangSmithSink();
    const staging = { ...loadScenario("ndcg-drop"), environment: "staging" as const };
    h2 = await startHarness({ scenario: staging, env: { LANGSMITH_TRACING: "true", LANGSMITH_API_KEY: KEY, LANGSMITH_ENDPOINT: sink2.url } });
    const sandbox = h2.ap.platform.sandbox!;
    sandbox.advanceToAlert(0);
    id = ((await (await h2.webhook(sandbox.alertPayload(0))).json()) as { cycles_started: string[] }).cycles_started[0]!;
    let cycle = await h2.settle(id);
    while (cycle.status === "awaiting_approval") {
      await h2.api("POST", `/api/v1/approvals/${cycle.pendingApprovalId}/approve`, h2.tokens.operator, { reason: "ok" });
      cycle = await h2.settle(id);
    }
    expect(cycle.outcome).toBe("promoted");
  });
  afterAll(async () => {
    await h2?.close();
    await sink2?.close();
  });

  it("keeps every run of the paused and resumed cycle in one trace, closed when the cycle ends", () => {
    const all = [...sink2.runs.values()];
    const roots = all.filter((r) => !r.parent_run_id);
    expect(roots.map((r) => r.name)).toEqual([`cycle ${id}`]);
    const root = roots[0]!;
    expect(all.every((r) => r.trace_id === root.id)).toBe(true);
    const segments = all.filter((r) => r.parent_run_id === root.id).map((r) => r.name).sort();
    expect(segments).toEqual([1, 2, 3, 4].map((n) => `cycle ${id} run ${n}`));
    expect(root.end_time).toBeDefined();
    expect(root.outputs).toEqual({ outcome: "promoted" });
  });
});

describe("LangSmith tracing of the chat", () => {
  let sink3: LangSmithSink;
  let h3: Harness;
  beforeAll(async () => {
    sink3 = await startLangSmithSink();
    h3 = await startHarness({ scenario: "ndcg-drop", env: { LANGSMITH_TRACING: "true", LANGSMITH_API_KEY: KEY, LANGSMITH_ENDPOINT: sink3.url } });
  });
  afterAll(async () => {
    await h3?.close();
    await sink3?.close();
  });

  it("sends each turn as a trace of its own, with the gated tool call inside, before the answer ends", async () => {
    const res = await h3.api("POST", "/api/v1/chat", h3.tokens.operator, { message: "what is p95 latency of search now?" });
    const body = await res.text();
    const conversation = /"conversation_id":"(chat_[0-9a-f]{24})"/.exec(body)![1]!;
    const all = [...sink3.runs.values()];
    const roots = all.filter((r) => !r.parent_run_id);
    expect(roots.map((r) => r.name)).toEqual([`chat ${conversation} turn 1`]);
    expect(roots[0]!.extra?.metadata).toMatchObject({ conversation_id: conversation, operator: "olivia" });
    expect(roots[0]!.end_time).toBeDefined();
    expect(all.every((r) => r.trace_id === roots[0]!.id)).toBe(true);
    expect(all.some((r) => r.name === "tools")).toBe(true);
    expect(JSON.stringify(all)).not.toContain(KEY);
  });
});
