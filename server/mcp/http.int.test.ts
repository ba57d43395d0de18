import { request as httpRequest } from "node:http";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../testing/harness.js";

type Result = Awaited<ReturnType<Client["callTool"]>>;
const jsonOf = <T = Record<string, unknown>>(r: Result) => JSON.parse((r.content as { text: string }[])[0]!.text) as T;
const INITIALIZE = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "curl", version: "0" } } };
const MCP_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

/** A raw POST with a chosen Host header (fetch does not let one set it). */
function postWithHost(url: string, host: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers: { ...MCP_HEADERS, host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

describe("MCP over Streamable HTTP at /mcp, and over stdio through `npx autopilot mcp`", () => {
  let h: Harness;
  let client: Client;
  beforeAll(async () => {
    h = await startHarness({ scenario: "ndcg-drop" });
    client = new Client({ name: "http-assistant", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${h.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${h.tokens.operator}` } } }));
  });
  afterAll(async () => {
    await client?.close();
    await h?.close();
  });

  it("lists the tools with their annotations and runs a read tool against the sandbox", async () => {
    const { tools } = await client.listTools();
    expect(tools.find((t) => t.name === "argocd_rollback_application")?.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    const result = await client.callTool({ name: "prometheus_query_instant", arguments: { query: 'search:ndcg_at_10{service="search",variant="all"}' } });
    const body = jsonOf<{ status: string; data: { series: { value: number }[] } }>(result);
    expect(body.status).toBe("success");
    expect(body.data.series[0]!.value).toBeGreaterThan(0.5);
    // The token's name is the MCP client the gate decided for.
    const decisions = (await h.ap.store.audit.list({ limit: 1000 })).filter((e) => e.kind === "policy_decision" && e.tool === "prometheus_query_instant");
    expect(decisions.map((e) => [e.actor.type, e.actor.id, e.decision])).toEqual([["McpClient", "olivia", "allow"]]);
  });

  it("makes a destructive request a pending approval an operator sees in the API", async () => {
    const result = await client.callTool({ name: "mlflow_set_model_alias", arguments: { model_name: "search-reranker", alias: "champion", version: "1" } });
    const body = jsonOf<{ status: string; approval_id: string }>(result);
    expect(body.status).toBe("approval_requested");
    const listed = (await (await h.api("GET", `/api/v1/approvals/${body.approval_id}`, h.tokens.viewer)).json()) as { approval: { status: string; tool: string } };
    expect(listed.approval).toMatchObject({ status: "pending", tool: "mlflow_set_model_alias" });
    // The assistant holds olivia's token, so olivia cannot approve it; an admin can, and the call runs once, as the MCP client.
    expect((await h.api("POST", `/api/v1/approvals/${body.approval_id}/approve`, h.tokens.operator, { reason: "mine" })).status).toBe(403);
    const approved = (await (await h.api("POST", `/api/v1/approvals/${body.approval_id}/approve`, h.tokens.admin, { reason: "roll the alias back" })).json()) as { ran: { status: string; result: string; summary: string } };
    expect(approved.ran).toMatchObject({ status: "executed", result: "success" });
    expect(approved.ran.summary).toContain("search-reranker@champion now points at v1");
    const ran = (await h.ap.store.audit.list({ limit: 1000 })).filter((e) => e.tool === "mlflow_set_model_alias" && e.kind === "tool_result");
    expect(ran.map((e) => [e.actor.type, e.actor.id, e.decision])).toEqual([["McpClient", "olivia", "success"]]);
  });

  it("refuses a request without a token or with a wrong one, from a foreign Host or Origin, and GET on the stateless endpoint", async () => {
    const noToken = await fetch(`${h.url}/mcp`, { method: "POST", headers: MCP_HEADERS, body: JSON.stringify(INITIALIZE) });
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get("www-authenticate")).toContain("Bearer");
    expect(((await noToken.json()) as { error: { message: string } }).error.message).toContain("API token");
    expect((await fetch(`${h.url}/mcp`, { method: "POST", headers: { ...MCP_HEADERS, authorization: "Bearer nope" }, body: JSON.stringify(INITIALIZE) })).status).toBe(401);
    const stranger = new Client({ name: "stranger", version: "0" });
    await expect(stranger.connect(new StreamableHTTPClientTransport(new URL(`${h.url}/mcp`)))).rejects.toThrow();

    const foreignOrigin = await fetch(`${h.url}/mcp`, { method: "POST", headers: { ...MCP_HEADERS, authorization: `Bearer ${h.tokens.operator}`, origin: "https://evil.example" }, body: JSON.stringify(INITIALIZE) });
    expect(foreignOrigin.status).toBe(403);
    expect(await postWithHost(`${h.url}/mcp`, "rebind.evil.example", INITIALIZE)).toBe(403);
    expect((await fetch(`${h.url}/mcp`, { headers: { authorization: `Bearer ${h.tokens.operator}` } })).status).toBe(405);
  });

  it("answers an assistant over stdio with where it looked when no server runs there", async () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const lonely = new Client({ name: "stdio-assistant", version: "1.0.0" });
    const transport = new StdioClientTransport({ command: process.execPath, args: [path.join(root, "bin/autopilot.js"), "mcp"], cwd: root, env: { PATH: process.env.PATH ?? "", AUTOPILOT_URL: "http://127.0.0.1:9", AUTOPILOT_TOKEN: h.tokens.viewer, LOG_LEVEL: "silent" }, stderr: "pipe" });
    await expect(lonely.connect(transport)).rejects.toThrow(/could not reach the autopilot at http:\/\/127\.0\.0\.1:9 \(is the server running\?/);
    await lonely.close();
  });

  it("relays stdio to the server: an assistant that starts `autopilot mcp` as a process gets the same tools and policies", async () => {
    const viewerClient = new Client({ name: "stdio-assistant", version: "1.0.0" });
    const root = path.resolve(import.meta.dirname, "../..");
    await viewerClient.connect(
      new StdioClientTransport({ command: process.execPath, args: [path.join(root, "bin/autopilot.js"), "mcp"], cwd: root, env: { PATH: process.env.PATH ?? "", AUTOPILOT_URL: h.url, AUTOPILOT_TOKEN: h.tokens.viewer, LOG_LEVEL: "silent" }, stderr: "pipe" }),
    );
    try {
      const { tools } = await viewerClient.listTools();
      // A viewer's token: only the read-only tools.
      expect(tools.length).toBeGreaterThan(10);
      expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
      // No cycle has run in this world yet: the store's answer, through the server.
      expect(jsonOf(await viewerClient.callTool({ name: "autopilot_list_cycles", arguments: {} }))).toMatchObject({ status: "no_data", summary: "no cycles" });
      const hidden = await viewerClient.callTool({ name: "argocd_sync_application", arguments: { app: "search" } });
      expect(hidden.isError).toBe(true);
    } finally {
      await viewerClient.close();
    }
  });
});
