import type { SchemaJson, ActionType } from "@cedar-policy/cedar-wasm/nodejs";
import { TOOL_SYSTEMS } from "../tools/index.js";
import type { ToolFlags } from "../tools/index.js";
import type { PolicyContext } from "./context.js";
import { PolicyError } from "./errors.js";

/** A Cedar schema in its JSON form. */
export type CedarSchema = SchemaJson<string>;

/** The Cedar namespace of every entity type and action. */
export const CEDAR_NAMESPACE = "Autopilot";
/** Who can make a request. */
export const PRINCIPAL_TYPES = ["Agent", "Operator", "McpClient"] as const;
/** A kind of principal. */
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];
/** What a request acts on. */
export const RESOURCE_TYPES = ["Environment", "Application", "Model"] as const;
/** A kind of resource. */
export type ResourceType = (typeof RESOURCE_TYPES)[number];
/** The roles of an operator, least privileged first. */
export const OPERATOR_ROLES = ["viewer", "operator", "admin"] as const;
/** The action groups every tool belongs to exactly one of, by its flags. */
export const FLAG_GROUPS = ["readonly", "write", "destructive"] as const;
/** Actions only humans perform, declared beside the tools. */
export const OPERATOR_ACTIONS = ["approve", "reject", "set_flag", "kill_switch"] as const;

/** What the schema needs to know of a tool (a ToolDefinition fits). */
export interface PolicyTool {
  name: string;
  system: string;
  flags: ToolFlags;
}

// `satisfies` keeps this in step with the zod schema: a field added there fails to compile here.
const CONTEXT_TYPES = {
  environment: "String",
  sandbox: "Boolean",
  kill_switch: "Boolean",
  change_freeze: "Boolean",
  auto_promote: "Boolean",
  auto_rollback: "Boolean",
  ab_testing: "Boolean",
  manual_approval_required: "Boolean",
  budget_exhausted: "Boolean",
  cycle_limit_reached: "Boolean",
  approved: "Boolean",
  gate_passed: "Boolean",
  gate_needs_approval: "Boolean",
  phase: "String",
  canary_weight: "Long",
  dry_run: "Boolean",
} as const satisfies Record<keyof PolicyContext, "String" | "Boolean" | "Long">;

/** The flag group of a tool: read-only, destructive, or else write. */
function flagGroup(tool: PolicyTool): (typeof FLAG_GROUPS)[number] {
  if (tool.flags.readOnly && tool.flags.destructive) {
    throw new PolicyError("invalid_tool", `tool ${tool.name} cannot be both read-only and destructive`);
  }
  return tool.flags.readOnly ? "readonly" : tool.flags.destructive ? "destructive" : "write";
}

/**
 * Builds the Cedar schema of namespace Autopilot: the principal and resource entity types, one
 * action per tool (a member of its flag group and of `system:<system>`), the group actions, the
 * operator actions, and the one context type every action shares.
 */
export function buildCedarSchema(tools: ReadonlyArray<PolicyTool>): CedarSchema {
  const appliesTo = {
    principalTypes: [...PRINCIPAL_TYPES],
    resourceTypes: [...RESOURCE_TYPES],
    context: { type: "PolicyContext" },
  };
  const systems = new Set<string>([...TOOL_SYSTEMS, ...tools.map((t) => t.system)]);
  // Group actions carry no appliesTo: they exist to be `in`, never to be requested.
  const actions: Record<string, ActionType<string>> = {};
  for (const group of FLAG_GROUPS) actions[group] = {};
  for (const system of systems) actions[`system:${system}`] = {};
  for (const name of OPERATOR_ACTIONS) actions[name] = { appliesTo };
  for (const tool of tools) {
    if (actions[tool.name]) throw new PolicyError("invalid_tool", `tool name ${tool.name} is taken by another action`);
    actions[tool.name] = { memberOf: [{ id: flagGroup(tool) }, { id: `system:${tool.system}` }], appliesTo };
  }
  const attributes = Object.fromEntries(
    Object.entries(CONTEXT_TYPES).map(([field, type]) => [field, { type, required: true }]),
  );
  return {
    [CEDAR_NAMESPACE]: {
      commonTypes: { PolicyContext: { type: "Record", attributes } },
      entityTypes: {
        Agent: {},
        Operator: { shape: { type: "Record", attributes: { role: { type: "String", required: true } } } },
        McpClient: {},
        Environment: {},
        Application: { memberOfTypes: ["Environment"] },
        Model: {},
      },
      actions,
    },
  };
}
