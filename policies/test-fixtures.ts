import type { ToolFlags } from "../tools/index.js";
import type { PolicyContext } from "./context.js";
import type { PolicyRequest } from "./request.js";
import type { PolicyTool } from "./schema.js";

// Shared by the policy tests only; not exported from index.ts.

const flags = (group: "readonly" | "write" | "destructive", idempotent = false): ToolFlags => ({
  readOnly: group === "readonly",
  destructive: group === "destructive",
  idempotent,
  openWorld: true,
});

/** The tool catalog of docs/architecture.md, by name, system and flags. */
export const FIXTURE_TOOLS: readonly PolicyTool[] = [
  { name: "prometheus_get_signal", system: "prometheus", flags: flags("readonly") },
  { name: "prometheus_query_breakdown", system: "prometheus", flags: flags("readonly") },
  { name: "prometheus_compare_variants", system: "prometheus", flags: flags("readonly") },
  { name: "dvc_get_dataset", system: "dvc", flags: flags("readonly") },
  { name: "dvc_augment_dataset", system: "dvc", flags: flags("write", true) },
  { name: "h2o_train_model", system: "h2o", flags: flags("write") },
  { name: "mlflow_register_candidate", system: "mlflow", flags: flags("write") },
  { name: "mlflow_evaluate_candidate", system: "mlflow", flags: flags("write", true) },
  { name: "mlflow_get_model", system: "mlflow", flags: flags("readonly") },
  { name: "mlflow_set_model_alias", system: "mlflow", flags: flags("destructive", true) },
  { name: "gitops_write_values", system: "gitops", flags: flags("destructive") },
  { name: "argocd_get_application", system: "argocd", flags: flags("readonly") },
  { name: "argocd_sync_application", system: "argocd", flags: flags("destructive") },
  { name: "argocd_rollback_application", system: "argocd", flags: flags("destructive") },
  // The autopilot's own records and cycle queue (tools/autopilot); the shipped policies name its system.
  { name: "autopilot_get_cycle", system: "autopilot", flags: { ...flags("readonly", true), openWorld: false } },
  { name: "autopilot_request_cycle", system: "autopilot", flags: { ...flags("write"), openWorld: false } },
];

// The platform's tools: the autopilot's own have policies of their own (autopilot-tools.test.ts).
const PLATFORM_TOOLS = FIXTURE_TOOLS.filter((t) => t.system !== "autopilot");

/** Fixture tool names of the platform's systems by flag group. */
export const TOOLS_BY_GROUP = {
  readonly: PLATFORM_TOOLS.filter((t) => t.flags.readOnly).map((t) => t.name),
  write: PLATFORM_TOOLS.filter((t) => !t.flags.readOnly && !t.flags.destructive).map((t) => t.name),
  destructive: PLATFORM_TOOLS.filter((t) => t.flags.destructive).map((t) => t.name),
};

/** A context where nothing is switched on; override what a case needs. */
export function context(overrides: Partial<PolicyContext> = {}): PolicyContext {
  return {
    environment: "production",
    sandbox: false,
    kill_switch: false,
    change_freeze: false,
    auto_promote: false,
    auto_rollback: false,
    ab_testing: false,
    manual_approval_required: false,
    budget_exhausted: false,
    cycle_limit_reached: false,
    approved: false,
    gate_passed: false,
    gate_needs_approval: false,
    phase: "none",
    canary_weight: 0,
    dry_run: false,
    ...overrides,
  };
}

/** A request on the environment of its context. */
export function request(
  principal: PolicyRequest["principal"],
  action: string,
  overrides: Partial<PolicyContext> = {},
): PolicyRequest {
  const ctx = context(overrides);
  return { principal, action, resource: { type: "Environment", id: ctx.environment }, context: ctx };
}

/** The devops agent. */
export const DEVOPS = { type: "Agent", id: "devops" } as const;
