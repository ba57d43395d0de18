import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_TOOLS } from "../../tools/index.js";
import { startHarness, type Harness } from "../testing/harness.js";
import { createMcpServer, type McpCaller } from "./mcp-server.js";

type Result = Awaited<ReturnType<Client["callTool"]>>;
const textOf = (r: Result) => (r.content as { type: string; text: string }[])[0]!.text;
const jsonOf = <T = Record<string, unknown>>(r: Result) => JSON.parse(textOf(r)) as T;

/** A client connected to a fresh MCP server for `caller` over the SDK's in-memory transport. */
async function connect(h: Harness, caller: McpCaller): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "test-assistant", version: "1.0.0" });
  await Promise.all([createMcpServer(h.ap, caller).connect(serverSide), client.connect(clientSide)]);
  return client;
}

describe("MCP server over the in-memory transport", () => {
  let h: Harness;
  let operator: Client;
  let viewer: Client;
  beforeAll(async () => {
    // Production, with a rolled-back cycle on record.
    h = await startHarness({ scenario: "bad-deploy" });
    await h.runScenario();
    operator = await connect(h, { name: "claude-desktop", role: "operator" });
    viewer = await connect(h, { name: "ide-viewer", role: "viewer" });
  });
  afterAll(async () => {
    await operator?.close();
    await viewer?.close();
    await h?.close();
  });

  it("lists the agents' own tools with annotations from their flags, and only the read-only ones to a viewer", async () => {
    const { tools } = await operator.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...ALL_TOOLS.map((t) => t.name), "autopilot_explain_policy"].sort());
    const sync = tools.find((t) => t.name === "argocd_sync_application")!;
    expect(sync.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, openWorldHint: true });
    const query = tools.find((t) => t.name === "prometheus_query_instant")!;
    expect(query.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    // The input schema carries the definitions' descriptions.
    expect((query.inputSchema.properties as Record<string, { description?: string }>).query!.description).toBe("PromQL expression");
    const seen = (await viewer.listTools()).tools;
    expect(seen.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    expect(seen.map((t) => t.name)).toContain("autopilot_list_cycles");
    expect(seen.map((t) => t.name)).not.toContain("autopilot_request_cycle");
  });

  it("runs read tools against the sandbox through the gate, as the MCP client", async () => {
    const signal = await operator.callTool({ name: "prometheus_get_signal", arguments: { signal: "ndcg_drop", service: "search" } });
    expect(signal.isError).toBeFalsy();
    const body = jsonOf<{ status: string; data: { value: number; baseline: number } }>(signal);
    expect(body.status).toBe("success");
    expect(body.data.value).toBeGreaterThan(0.5);
    expect(body.data.value).toBeLessThan(1);
    const cycles = jsonOf<{ data: { cycles: { id: string; outcome: string }[] } }>(await operator.callTool({ name: "autopilot_list_cycles", arguments: {} }));
    expect(cycles.data.cycles.map((c) => c.outcome)).toContain("rolled_back");
    const decisions = await h.ap.store.audit.list({ limit: 5000 });
    expect(decisions.filter((e) => e.kind === "policy_decision" && e.actor.type === "McpClient" && e.actor.id === "claude-desktop").map((e) => [e.tool, e.decision])).toEqual([
      ["prometheus_get_signal", "allow"],
      ["autopilot_list_cycles", "allow"],
    ]);
  });

  it("turns a destructive call into a pending approval request for an operator; nothing runs", async () => {
    const input = { app: "search", history_id: 1 };
    const result = await operator.callTool({ name: "argocd_rollback_application", arguments: input });
    expect(result.isError).toBeFalsy();
    const body = jsonOf<{ status: string; approval_id: string; reasons: string[] }>(result);
    expect(body.status).toBe("approval_requested");
    expect(body.reasons.join(" ")).toContain("MCP clients");
    const pending = (await h.ap.store.approvals.listPending(new Date())).find((a) => a.id === body.approval_id)!;
    expect(pending).toMatchObject({ cycleId: null, tool: "argocd_rollback_application", input, principal: { type: "McpClient", id: "claude-desktop" } });
    // The same call asked again waits on the same request.
    expect(jsonOf(await operator.callTool({ name: "argocd_rollback_application", arguments: input })).approval_id).toBe(body.approval_id);
    expect((await h.ap.store.audit.list({ limit: 5000 })).some((e) => e.tool === "argocd_rollback_application" && e.actor.type === "McpClient" && e.kind === "tool_result")).toBe(false);
    // Through the HTTP API the operator sees it among the pending approvals.
    const listed = (await (await h.api("GET", "/api/v1/approvals", h.tokens.operator)).json()) as { approvals: { id: string }[] };
    expect(listed.approvals.map((a) => a.id)).toContain(body.approval_id);
  });

  it("answers a denied call with isError and the policy's reason, not a protocol error", async () => {
    await h.ap.store.flags.set("kill_switch", "production", { enabled: true }, "ada", new Date());
    try {
      const result = await operator.callTool({ name: "autopilot_request_cycle", arguments: { service: "search", signal: "ndcg_drop", reason: "check relevance" } });
      expect(result.isError).toBe(true);
      const body = jsonOf<{ status: string; reasons: string[]; hard_stop: boolean }>(result);
      expect(body.status).toBe("denied");
      expect(body.hard_stop).toBe(true);
      expect(body.reasons.join(" ")).toMatch(/kill switch/);
    } finally {
      await h.ap.store.flags.set("kill_switch", "production", { enabled: false }, "ada", new Date());
    }
    const invalid = await operator.callTool({ name: "prometheus_get_signal", arguments: { signal: "no_such_signal", service: "search" } });
    expect(invalid.isError).toBe(true);
  });

  it("explains what the policies would decide without running or recording anything", async () => {
    const before = (await h.ap.store.audit.head()).seq;
    const explained = jsonOf<{ outcome: string; policies: string[] }>(await operator.callTool({ name: "autopilot_explain_policy", arguments: { tool: "argocd_sync_application", input: { app: "search", revision: "8362b60fd3232cdd4650b46233f11f0bbbc5391c" } } }));
    expect(explained).toMatchObject({ outcome: "require_approval", policies: ["mcp-request-with-approval"] });
    expect(jsonOf(await operator.callTool({ name: "autopilot_explain_policy", arguments: { tool: "prometheus_query_instant", input: { query: "up" } } })).outcome).toBe("allow");
    const unknown = await operator.callTool({ name: "autopilot_explain_policy", arguments: { tool: "rm_rf_everything", input: {} } });
    expect(unknown.isError).toBe(true);
    expect((await h.ap.store.audit.head()).seq).toBe(before);
  });

  it("serves cycle reports and the active policies as resources, and the two prompts", async () => {
    const { resources } = await viewer.listResources();
    const report = resources.find((r) => r.uri.startsWith("autopilot://cycles/"))!;
    const read = await viewer.readResource({ uri: report.uri });
    const content = JSON.parse((read.contents[0] as { text: string }).text) as { outcome: string; report: { outcome: string; actions: unknown[] } };
    expect(content.report.outcome).toBe(content.outcome);
    expect(content.report.actions.length).toBeGreaterThan(5);
    const policy = resources.find((r) => r.uri === "autopilot://policies/approvals.cedar")!;
    expect(((await viewer.readResource({ uri: policy.uri })).contents[0] as { text: string }).text).toContain('@id("mcp-request-with-approval")');

    const { prompts } = await viewer.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(["explain-cycle", "investigate-alert"]);
    const investigate = await viewer.getPrompt({ name: "investigate-alert", arguments: { alertname: "SearchRelevanceDegraded", service: "search" } });
    expect((investigate.messages[0]!.content as { text: string }).text).toContain("prometheus_detect_anomalies");
    const cycleId = report.uri.split("/")[3]!;
    const explain = await viewer.getPrompt({ name: "explain-cycle", arguments: { cycle_id: cycleId } });
    expect(explain.messages[1]!.content).toMatchObject({ type: "resource", resource: { uri: `autopilot://cycles/${cycleId}/report` } });
  });
});
