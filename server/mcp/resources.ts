import { ResourceTemplate, type McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { isCycleId } from "../../core/index.js";
import { explainCyclePrompt, investigateAlertPrompt } from "../../prompts/index.js";
import type { McpDeps } from "./mcp-server.js";

/** Cycles the report resource lists (the newest). */
const LISTED_CYCLES = 50;
/** Largest report handed out whole, in characters; a bigger one is cut with a note (its audit trail pages). */
const REPORT_CAP = 200_000;

const json = (uri: string, value: unknown) => {
  let body = JSON.stringify(value, null, 2);
  if (body.length > REPORT_CAP) body = `${body.slice(0, REPORT_CAP)}\n…[cut at ${REPORT_CAP} characters: read the cycle's audit trail with autopilot_get_cycle_audit]`;
  return { uri, mimeType: "application/json", text: body };
};

/**
 * Resources: each cycle's report (`autopilot://cycles/{cycle_id}/report`, the newest listed) and
 * the active Cedar policies (`autopilot://policies/{file}`); prompts: "investigate this alert" and
 * "explain this cycle". Reports and policies are what viewers of the API may read too.
 */
export function registerMcpResources(server: McpServer, deps: McpDeps): void {
  server.registerResource(
    "cycle-report",
    new ResourceTemplate("autopilot://cycles/{cycle_id}/report", {
      list: async () => ({
        resources: (await deps.store.cycles.list({ limit: LISTED_CYCLES })).map((c) => ({
          uri: `autopilot://cycles/${c.id}/report`,
          name: `${c.id} report`,
          description: `${c.service ?? "unknown service"} ${c.signal ?? c.trigger.alertname ?? ""}: ${c.status}${c.outcome ? `, ${c.outcome}` : ""}`,
          mimeType: "application/json",
        })),
      }),
    }),
    { title: "Cycle report", description: "A cycle's report: trigger, every action with its policy decision, approvals, outcome and findings (null while it runs).", mimeType: "application/json" },
    async (uri, { cycle_id }) => {
      const id = String(cycle_id);
      if (!isCycleId(id)) throw new Error(`"${id}" is not a cycle id (si_YYYY_MM_DD_NNN)`);
      const row = await deps.store.cycles.get(id);
      if (!row) throw new Error(`no cycle ${id}`);
      return { contents: [json(uri.href, { cycle_id: row.id, status: row.status, outcome: row.outcome, report: row.report ?? null })] };
    },
  );

  server.registerResource(
    "policies",
    new ResourceTemplate("autopilot://policies/{file}", {
      list: async () => ({
        resources: deps.engine.policyTexts().map((p) => ({ uri: `autopilot://policies/${encodeURIComponent(baseName(p.path))}`, name: baseName(p.path), mimeType: "text/plain" })),
      }),
    }),
    { title: "Active policy", description: "One of the Cedar policy files the gate decides every tool call with.", mimeType: "text/plain" },
    async (uri, { file }) => {
      const wanted = decodeURIComponent(String(file));
      const found = deps.engine.policyTexts().find((p) => baseName(p.path) === wanted);
      if (!found) throw new Error(`no active policy file ${wanted}`);
      return { contents: [{ uri: uri.href, mimeType: "text/plain", text: found.text }] };
    },
  );

  server.registerPrompt(
    "investigate-alert",
    {
      title: "Investigate this alert",
      description: "Look into an alert with the read tools and say what is going on; request a cycle only if nothing handles it.",
      argsSchema: {
        alertname: z.string().min(1).max(200).describe("the alert's name, e.g. SearchRelevanceDegraded"),
        service: z.string().min(1).max(128).describe("the service it fired for, e.g. search"),
        description: z.string().max(4000).optional().describe("the alert's description, if you have it"),
      },
    },
    ({ alertname, service, description }) => ({ messages: [{ role: "user", content: { type: "text", text: investigateAlertPrompt({ alertname, service, description }) } }] }),
  );

  server.registerPrompt(
    "explain-cycle",
    { title: "Explain this cycle", description: "Explain a cycle from its report: trigger, each agent's work, approvals and outcome.", argsSchema: { cycle_id: z.string().describe("the cycle's id, e.g. si_2026_11_20_001") } },
    async ({ cycle_id }) => {
      if (!isCycleId(cycle_id)) throw new Error(`"${cycle_id}" is not a cycle id (si_YYYY_MM_DD_NNN)`);
      const row = await deps.store.cycles.get(cycle_id);
      if (!row) throw new Error(`no cycle ${cycle_id}`);
      const uri = `autopilot://cycles/${row.id}/report`;
      return {
        messages: [
          { role: "user", content: { type: "text", text: explainCyclePrompt({ cycleId: row.id }) } },
          { role: "user", content: { type: "resource", resource: json(uri, { cycle_id: row.id, status: row.status, outcome: row.outcome, report: row.report ?? null }) } },
        ],
      };
    },
  );
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
