import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { ENVIRONMENTS, type Environment } from "../../core/index.js";
import { outsideCycleScope, type Principal } from "../../policies/index.js";
import { ALL_TOOLS, renderToolOutcome, type AnyTool } from "../../tools/index.js";
import type { Autopilot } from "../autopilot.js";
import { createRequestApprovals } from "../chat/index.js";
import type { TokenRole } from "../store/index.js";
import { registerMcpResources } from "./resources.js";

/** Longest tool result handed to an assistant, in characters (its context window is small). */
export const MCP_OUTPUT_CAP = 8_000;

/** Who is calling over MCP: a token's name and role. */
export interface McpCaller {
  name: string;
  role: TokenRole;
}

/** What the MCP server uses of the running system. */
export type McpDeps = Pick<Autopilot, "gate" | "store" | "environment" | "config" | "engine" | "platform" | "audit">;

/** The MCP annotations of a tool, from its flags: the same flags the policies decide on. */
export function toolAnnotations(tool: AnyTool) {
  return { title: tool.title, readOnlyHint: tool.flags.readOnly, destructiveHint: tool.flags.destructive, idempotentHint: tool.flags.idempotent, openWorldHint: tool.flags.openWorld };
}

/** The tools a caller sees: a viewer only reads; operators and admins may also ask for changes. */
export function toolsFor(role: TokenRole): AnyTool[] {
  return ALL_TOOLS.filter((t) => role !== "viewer" || t.flags.readOnly);
}

const text = (value: unknown, isError = false): CallToolResult => ({ content: [{ type: "text", text: typeof value === "string" ? value : JSON.stringify(value) }], ...(isError ? { isError: true } : {}) });

/**
 * An MCP server for one caller, whose tools are the agents' own tool definitions (no second copy)
 * with annotations from their flags. Every call goes through the policy gate with the caller as an
 * McpClient principal: a read runs; a change the policies put to a human becomes an approval
 * request (its id is the result); a denial is a result with `isError` and the policy's reasons,
 * never a protocol error. Results are capped for small context windows; list tools page.
 */
export function createMcpServer(deps: McpDeps, caller: McpCaller): McpServer {
  const principal: Principal = { type: "McpClient", id: caller.name };
  const server = new McpServer({ name: "mlops-autopilot", version: "0.1.0" }, { instructions: SERVER_INSTRUCTIONS });
  const approvals = createRequestApprovals({ approvals: deps.store.approvals, audit: deps.audit, clock: deps.platform.clock, ttlMs: deps.config.approvalTtlMs });
  const visible = toolsFor(caller.role);

  for (const tool of visible) {
    server.registerTool(tool.name, { title: tool.title, description: tool.description, inputSchema: tool.input, annotations: toolAnnotations(tool) }, async (args, extra) => {
      const result = await deps.gate.execute({ principal, tool: tool.name, input: args, scope: outsideCycleScope(deps.environment), signal: extra.signal });
      switch (result.status) {
        case "executed":
          return text(renderToolOutcome(result.outcome, MCP_OUTPUT_CAP), result.outcome.status === "error");
        case "denied":
          return text({ status: "denied", tool: tool.name, reasons: result.decision.reasons, policies: result.decision.policies, hard_stop: result.decision.hardStop }, true);
        case "invalid":
          return text({ status: "invalid", tool: tool.name, message: result.message }, true);
        case "approval_required": {
          const opened = await approvals.open({ tool: tool.name, input: result.input, callHash: result.callHash, principal, reasons: result.decision.reasons, conversationId: `mcp:${caller.name}` });
          return text({
            status: "approval_requested",
            tool: tool.name,
            approval_id: opened.id,
            expires_at: opened.expiresAt.toISOString(),
            reasons: result.decision.reasons,
            next: "Nothing ran. An operator approves or rejects this exact call in the console or with `npx autopilot approve`; it then runs once. Follow it with autopilot_list_approvals.",
          });
        }
      }
    });
  }

  server.registerTool(
    "autopilot_explain_policy",
    {
      title: "Explain what the policies would decide",
      description:
        "What would happen if you called a tool with an input: allow, require_approval or deny, with the policies' reasons, obligations and whether a hard stop " +
        "(kill switch, change freeze, budget, cycle limit) applies. Nothing runs and nothing is recorded.",
      inputSchema: {
        tool: z.string().min(1).max(100).describe("the tool's name, e.g. argocd_sync_application"),
        input: z.record(z.string(), z.unknown()).default({}).describe("the input you would pass"),
        environment: z.enum(ENVIRONMENTS).optional().describe("the environment to decide in (default: the deployment's)"),
      },
      annotations: { title: "Explain what the policies would decide", readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ tool, input, environment }) => {
      const checked = await deps.gate.check({ principal, tool, input, scope: outsideCycleScope((environment ?? deps.environment) as Environment) });
      if (!checked.decision) return text({ status: "invalid", tool, message: checked.invalid ?? `unknown tool ${tool}` }, true);
      const d = checked.decision;
      return text({ tool, environment: environment ?? deps.environment, as: `McpClient:${caller.name}`, outcome: d.outcome, reasons: d.reasons, policies: d.policies, obligations: d.obligations, hard_stop: d.hardStop });
    },
  );

  registerMcpResources(server, deps);
  return server;
}

const SERVER_INSTRUCTIONS = [
  "mlops-autopilot runs the self-improvement loop of an ML platform (monitor, diagnose, augment, retrain, evaluate, promote, watch, roll back) with a team of agents.",
  "Read with the prometheus_*, mlflow_get_*, argocd_get_* and autopilot_* tools; autopilot_explain_policy says what a call would meet before you make it.",
  "Changes are requests: a cycle (autopilot_request_cycle) or any write or destructive tool becomes an approval request for an operator, and its result gives the id.",
  "Long work (a cycle) returns a cycle id: poll it with autopilot_get_cycle. Lists page: pass the cursor or position a result gives to get more.",
].join(" ");
