import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../core/index.js";
import { ALL_TOOLS } from "../registry.js";
import { renderToolOutcome, type AnyTool, type ToolContext } from "../tool.js";
import { testToolContext } from "../prometheus/testing/tool-context.js";
import { autopilotTools } from "./toolset.js";
import { fakeAutopilot, fakeCycle } from "./testing/fake-client.js";
import type { CycleDetail, CycleList, AuditPage } from "./cycles.js";
import type { ApprovalList } from "./approvals.js";

const report = JSON.parse(readFileSync(new URL("./fixtures/rolled-back-report.json", import.meta.url), "utf8")) as Record<string, unknown>;
const tool = (name: string) => autopilotTools.find((t) => t.name === name)!;

function setup(options: { client?: boolean } = {}) {
  const fake = fakeAutopilot();
  const clock = new SimulatedClock({ start: new Date("2026-11-20T10:00:00Z") });
  const ctx: ToolContext = testToolContext({ clock, clients: options.client === false ? {} : { autopilot: fake.client } });
  return { fake, ctx };
}

/** Parses the input as the gate does, then runs the tool. */
function run(t: AnyTool, input: unknown, ctx: ToolContext) {
  return t.run(t.input.parse(input), ctx);
}

describe("the autopilot tools", () => {
  it("are registered; only the request changes anything, and nothing is destructive or leaves the autopilot", () => {
    const flags = Object.fromEntries(autopilotTools.map((t) => [t.name, t.flags]));
    const read = { readOnly: true, destructive: false, idempotent: true, openWorld: false };
    expect(flags).toEqual({
      autopilot_list_cycles: read,
      autopilot_get_cycle: read,
      autopilot_get_cycle_audit: read,
      autopilot_list_approvals: read,
      autopilot_request_cycle: { readOnly: false, destructive: false, idempotent: false, openWorld: false },
    });
    for (const t of autopilotTools) expect(ALL_TOOLS).toContain(t);
  });

  it.each([
    ["autopilot_list_cycles", {}],
    ["autopilot_get_cycle", { cycle_id: "si_2026_11_20_001" }],
    ["autopilot_request_cycle", { service: "search", signal: "ndcg_drop", reason: "retrain" }],
  ])("%s answers an error when the gate has no autopilot client", async (name, input) => {
    const { ctx } = setup({ client: false });
    const outcome = await run(tool(name), input, ctx);
    expect(outcome).toMatchObject({ status: "error", error: { code: "not_configured", system: "autopilot", retryable: false } });
  });
});

describe("autopilot_list_cycles", () => {
  it("filters by outcome and pages with before", async () => {
    const { fake, ctx } = setup();
    fake.cycles.push(
      fakeCycle({ id: "si_2026_11_20_004", outcome: "promoted" }),
      fakeCycle({ id: "si_2026_11_20_003", outcome: "rolled_back" }),
      fakeCycle({ id: "si_2026_11_20_002", outcome: "rolled_back" }),
      fakeCycle({ id: "si_2026_11_20_001", outcome: "no_action" }),
    );
    const first = await run(tool("autopilot_list_cycles"), { outcome: "rolled_back", limit: 1 }, ctx);
    expect(first.status).toBe("success");
    const page = (first as { data: CycleList }).data;
    expect(page.cycles.map((c) => c.id)).toEqual(["si_2026_11_20_003"]);
    expect(page.next_before).toBe("si_2026_11_20_003");
    expect(first.summary).toBe("1 cycle (rolled_back), newest first: si_2026_11_20_003 completed rolled_back (search, ndcg_drop)");
    const second = await run(tool("autopilot_list_cycles"), { outcome: "rolled_back", limit: 1, before: page.next_before }, ctx);
    expect((second as { data: CycleList }).data.cycles.map((c) => c.id)).toEqual(["si_2026_11_20_002"]);
  });

  it("says there is nothing, naming the filter", async () => {
    const { ctx } = setup();
    const outcome = await run(tool("autopilot_list_cycles"), { status: "running" }, ctx);
    expect(outcome).toMatchObject({ status: "no_data", summary: "no cycles (running)" });
  });

  it("refuses a limit over 50 and a malformed cursor before running", () => {
    expect(tool("autopilot_list_cycles").input.safeParse({ limit: 51 }).success).toBe(false);
    expect(tool("autopilot_list_cycles").input.safeParse({ before: "si_1" }).success).toBe(false);
  });
});

describe("autopilot_get_cycle", () => {
  it("digests a rolled-back report: why, the watch breach, the rollback, within the chat's output cap", async () => {
    const { fake, ctx } = setup();
    fake.cycles.push({ ...fakeCycle({ id: "si_2026_11_20_001", outcome: "rolled_back" }), report });
    const outcome = await run(tool("autopilot_get_cycle"), { cycle_id: "si_2026_11_20_001" }, ctx);
    expect(outcome.summary).toBe("Cycle si_2026_11_20_001 (search, ndcg_drop, production) ended rolled_back: Rolled back after the deploy degraded (search:latency_p95_seconds).");
    const { report: digest } = (outcome as { data: CycleDetail }).data;
    expect(digest!.steps.map((s) => s.step)).toEqual(["monitor", "diagnose", "augment", "train", "evaluate", "ab_test.canary", "ab_test.compare", "promote", "watch", "rollback"]);
    expect(digest!.findings.watch).toMatchObject({ degraded: true, breaches: [{ metric: "search:latency_p95_seconds", threshold: 1, rule: "guardrail: p95 latency over 1000 ms" }] });
    expect(digest!.findings.rollback).toMatchObject({ model_version: "1", to_history_id: 1 });
    expect(Object.keys(digest!.findings).slice(0, 3)).toEqual(["monitor", "diagnosis", "anomalies"]);
    expect(digest!.actions_total).toBe(19);
    expect(digest!.actions_not_successful).toEqual([]);
    const rendered = renderToolOutcome(outcome, 12_000);
    expect(JSON.parse(rendered)).toMatchObject({ status: "success" });
  });

  it("says a running cycle has no report yet, and a missing cycle is no data", async () => {
    const { fake, ctx } = setup();
    fake.cycles.push(fakeCycle({ id: "si_2026_11_20_002", status: "awaiting_approval", outcome: null, pending_approval_id: "ap_1" }));
    expect((await run(tool("autopilot_get_cycle"), { cycle_id: "si_2026_11_20_002" }, ctx)).summary).toBe("Cycle si_2026_11_20_002 (search, ndcg_drop, production) waits for approval ap_1");
    expect(await run(tool("autopilot_get_cycle"), { cycle_id: "si_2026_11_20_009" }, ctx)).toEqual({ status: "no_data", summary: "there is no cycle si_2026_11_20_009" });
  });
});

describe("autopilot_get_cycle_audit", () => {
  it("pages the trail, keeps the reasons of decisions and cuts large data", async () => {
    const { fake, ctx } = setup();
    fake.cycles.push(fakeCycle({ id: "si_2026_11_20_001" }));
    const at = "2026-11-20T08:20:00.000Z";
    fake.audit.push(
      { cycle_id: "si_2026_11_20_001", seq: 4, at, kind: "policy_decision", actor: { type: "Agent", id: "devops" }, tool: "argocd_sync_application", decision: "deny", data: { reasons: ["the kill switch is on"], phase: "promote", hard_stop: true, input: { app: "search" }, request: { big: "x".repeat(5000) } } },
      { cycle_id: "si_2026_11_20_001", seq: 5, at, kind: "step_finished", actor: { type: "Agent", id: "devops" }, tool: null, decision: "incomplete", data: { summary: "y".repeat(5000) } },
      { cycle_id: "si_2026_11_20_001", seq: 6, at, kind: "cycle_finished", actor: { type: "Agent", id: "supervisor" }, tool: null, decision: "escalated", data: {} },
    );
    const outcome = await run(tool("autopilot_get_cycle_audit"), { cycle_id: "si_2026_11_20_001", limit: 2 }, ctx);
    const page = (outcome as { data: AuditPage }).data;
    expect(outcome.summary).toBe("2 audit entries of si_2026_11_20_001, seq 4 to 5; policy decisions: 1 deny");
    expect(page.entries[0]).toEqual({ seq: 4, at, kind: "policy_decision", actor: "Agent:devops", tool: "argocd_sync_application", decision: "deny", data: { reasons: ["the kill switch is on"], phase: "promote", hard_stop: true, approval_id: null, input: { app: "search" } } });
    expect(JSON.stringify(page.entries[1]!.data).length).toBeLessThan(500);
    expect(page.next_after_seq).toBe(5);
    const rest = await run(tool("autopilot_get_cycle_audit"), { cycle_id: "si_2026_11_20_001", after_seq: 5 }, ctx);
    expect((rest as { data: AuditPage }).data).toMatchObject({ next_after_seq: null, entries: [{ seq: 6 }] });
  });
});

describe("autopilot_list_approvals", () => {
  it("lists pending requests, telling a cycle's from an operator's", async () => {
    const { fake, ctx } = setup();
    expect(await run(tool("autopilot_list_approvals"), {}, ctx)).toMatchObject({ status: "no_data", summary: "no approval is pending" });
    const base = { input: {}, reasons: ["why"], requested_at: "2026-11-20T09:00:00.000Z", expires_at: "2026-11-20T10:00:00.000Z" };
    fake.approvals.push({ ...base, id: "ap_1", cycle_id: "si_2026_11_20_001", tool: "argocd_sync_application", requested_by: { type: "Agent", id: "devops" } });
    fake.approvals.push({ ...base, id: "ap_2", cycle_id: null, tool: "autopilot_request_cycle", requested_by: { type: "Operator", id: "olivia", role: "operator" } });
    const outcome = await run(tool("autopilot_list_approvals"), {}, ctx);
    expect(outcome.summary).toBe("2 pending approvals: ap_1 argocd_sync_application (cycle si_2026_11_20_001); ap_2 autopilot_request_cycle (operator request)");
    expect((outcome as { data: ApprovalList }).data.total).toBe(2);
  });
});

describe("autopilot_request_cycle", () => {
  it("queues a cycle in the call's environment", async () => {
    const { fake, ctx } = setup();
    const outcome = await run(tool("autopilot_request_cycle"), { service: "search", signal: "ndcg_drop", reason: " retrain the reranker " }, ctx);
    expect(outcome).toEqual({ status: "success", summary: "Queued cycle si_2026_11_20_901 for ndcg_drop of search in staging", data: { cycle_id: "si_2026_11_20_901", disposition: "started" } });
    expect(fake.requests).toEqual([{ environment: "staging", service: "search", signal: "ndcg_drop", reason: "retrain the reranker" }]);
  });

  it("answers an error naming the catalogued services for an unknown one", async () => {
    const { ctx } = setup();
    const outcome = await run(tool("autopilot_request_cycle"), { service: "reranker", signal: "ndcg_drop", reason: "x" }, ctx);
    expect(outcome).toMatchObject({ status: "error", error: { code: "unknown_service", retryable: false }, summary: 'service "reranker" is not in the catalog (search)' });
  });

  it("refuses the autopilot's own detector_drift signal and an empty reason", () => {
    const input = tool("autopilot_request_cycle").input;
    expect(input.safeParse({ service: "search", signal: "detector_drift", reason: "x" }).success).toBe(false);
    expect(input.safeParse({ service: "search", signal: "cost", reason: "   " }).success).toBe(false);
  });
});
