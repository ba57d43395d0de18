import { describe, expect, it } from "vitest";
import type { Environment } from "../core/index.js";
import type { PolicyPhase } from "./context.js";
import { readPolicyFiles, DEFAULT_POLICY_DIR } from "./engine.js";
import { compilePolicyFiles } from "./policy-set.js";
import { buildSlices, readSchemaCatalog, sliceKey } from "./slices.js";
import type { SliceTable } from "./slices.js";
import { buildCedarSchema } from "./schema.js";
import { FIXTURE_TOOLS } from "./test-fixtures.js";

const schema = buildCedarSchema(FIXTURE_TOOLS);
const catalog = readSchemaCatalog(schema);
const defaultFiles = await readPolicyFiles(DEFAULT_POLICY_DIR);
const slices = buildSlices(compilePolicyFiles(schema, defaultFiles).policies, catalog);
const slice = (
  table: SliceTable,
  principal: "Agent" | "Operator" | "McpClient",
  action: string,
  environment: Environment = "production",
  phase: PolicyPhase = "promote",
) => table.get(sliceKey(principal, action, environment, phase));

describe("readSchemaCatalog", () => {
  it("gives each requestable action its flag group and system group as parents", () => {
    expect(catalog.actions.get("argocd_sync_application")).toEqual({
      uid: { type: "Autopilot::Action", id: "argocd_sync_application" },
      attrs: {},
      parents: [
        { type: "Autopilot::Action", id: "destructive" },
        { type: "Autopilot::Action", id: "system:argocd" },
      ],
    });
    expect(catalog.actions.get("approve")?.parents).toEqual([]);
  });

  it("lists only tools and operator actions as requestable, and every action as an entity", () => {
    expect(catalog.actions.has("destructive")).toBe(false);
    expect(catalog.actions.has("system:argocd")).toBe(false);
    expect(catalog.actions.size).toBe(FIXTURE_TOOLS.length + 4);
    expect(catalog.allActions.map((a) => a.uid)).toContainEqual({ type: "Autopilot::Action", id: "destructive" });
  });
});

describe("buildSlices on the default policies", () => {
  it("keeps only the policies whose scope can match, with the context fields they read", () => {
    expect(slice(slices, "Agent", "mlflow_get_model")).toMatchObject({
      all: { policies: ["base-read-only"], contextFields: [] },
      readsApproval: false,
      withApproval: null,
    });
    // The slice knows the environment and the phase: no policy reads them from the context any more.
    expect(slice(slices, "McpClient", "argocd_sync_application", "dev")?.all).toMatchObject({
      policies: ["mcp-request-with-approval", "mcp-no-destructive", "dev-sandbox-only", "hard-stop-kill-switch", "hard-stop-budget", "hard-stop-cycle-limit"],
      contextFields: ["approved", "budget_exhausted", "cycle_limit_reached", "kill_switch", "sandbox"],
    });
  });

  it("leaves out of a slice the policies its environment or phase rules out", () => {
    // dev-sandbox-only is `when { context.environment == "dev" && ...`: it cannot apply in production.
    expect(slice(slices, "McpClient", "argocd_sync_application", "production")?.all).toMatchObject({
      policies: ["mcp-request-with-approval", "mcp-no-destructive", "hard-stop-kill-switch", "hard-stop-change-freeze", "hard-stop-budget", "hard-stop-cycle-limit"],
      contextFields: ["approved", "budget_exhausted", "change_freeze", "cycle_limit_reached", "kill_switch"],
    });
    const sizes = (["dev", "staging", "production"] as const).map((env) => slice(slices, "Agent", "argocd_sync_application", env)?.all?.policies.length);
    expect(sizes).toEqual([6, 5, 6]);
    // In production a promote reads what auto-promotion reads; a rollback what auto-rollback reads.
    expect(slice(slices, "Agent", "argocd_sync_application", "production", "promote")?.all).toMatchObject({
      policies: ["approval-agent-deploy", "hard-stop-kill-switch", "hard-stop-change-freeze", "hard-stop-budget", "hard-stop-cycle-limit", "production-auto-promote"],
      contextFields: ["approved", "auto_promote", "budget_exhausted", "canary_weight", "change_freeze", "cycle_limit_reached", "gate_needs_approval", "gate_passed", "kill_switch", "manual_approval_required"],
    });
    expect(slice(slices, "Agent", "argocd_sync_application", "production", "rollback")?.all).toMatchObject({
      policies: ["approval-agent-rollback", "hard-stop-kill-switch", "hard-stop-change-freeze", "hard-stop-budget", "hard-stop-cycle-limit", "production-auto-rollback"],
      contextFields: ["approved", "auto_rollback", "budget_exhausted", "change_freeze", "cycle_limit_reached", "kill_switch"],
    });
    // Outside the phases that deploy, only the hard stops remain: nothing permits a deploy while watching.
    expect(slice(slices, "Agent", "argocd_sync_application", "production", "watch")?.all?.policies).toEqual([
      "hard-stop-kill-switch",
      "hard-stop-change-freeze",
      "hard-stop-budget",
      "hard-stop-cycle-limit",
    ]);
    expect(slice(slices, "Operator", "kill_switch", "production", "none")?.all?.policies).toEqual(["admin-kill-switch-and-flags"]);
  });

  it("adds the approval variants of the policies that read the approval, so one evaluation answers both", () => {
    const deploy = slice(slices, "Agent", "argocd_sync_application");
    expect(deploy?.readsApproval).toBe(true);
    expect(deploy?.withApproval?.policies).toEqual([...(deploy?.all?.policies ?? []), "approval-agent-deploy#approved"]);
    expect([...(deploy?.withApproval?.variants ?? [])]).toEqual([["approval-agent-deploy#approved", { policy: "approval-agent-deploy", effect: "permit" }]]);
    // A forbid lifted by an approval has no variant: with an approval it cannot apply.
    expect([...(slice(slices, "Agent", "argocd_sync_application", "staging")?.withApproval?.variants.values() ?? [])]).toEqual([
      { policy: "approval-agent-deploy", effect: "permit" },
    ]);
    expect(slice(slices, "Agent", "argocd_sync_application", "production", "watch")).toMatchObject({ readsApproval: false, withApproval: null });
    expect(slice(slices, "Agent", "mlflow_get_model")).toMatchObject({ readsApproval: false, withApproval: null });
  });

  it("has no set at all where no policy applies", () => {
    expect(slice(slices, "McpClient", "approve")).toEqual({ all: null, readsApproval: false, withApproval: null });
    expect(slice(slices, "Agent", "set_flag")).toEqual({ all: null, readsApproval: false, withApproval: null });
  });

  it("gives Cedar no action entity where the slice settles every action scope, the action's entity where a condition reads it", () => {
    // The default policies' scopes are all `action`, `action ==` or `action in` a literal group.
    expect(slice(slices, "Agent", "h2o_train_model")?.all?.actionEntities).toEqual([]);
    const table = buildSlices(
      compilePolicyFiles(schema, [{ path: "p.cedar", text: `@id("p") @reason("r") permit (principal, action, resource) when { action in Autopilot::Action::"write" };` }]).policies,
      catalog,
    );
    expect(slice(table, "Agent", "h2o_train_model")?.all?.actionEntities).toEqual([catalog.actions.get("h2o_train_model")]);
  });

  it("names sets by their content: the same policies share one, other policies get another", () => {
    const sync = slice(slices, "Agent", "argocd_sync_application")?.all?.setId;
    expect(slice(slices, "Agent", "gitops_write_values")?.all?.setId).toBe(sync);
    expect(slice(slices, "Agent", "h2o_train_model")?.all?.setId).not.toBe(sync);
    const again = buildSlices(compilePolicyFiles(schema, defaultFiles).policies, catalog);
    expect(slice(again, "Agent", "argocd_sync_application")?.all?.setId).toBe(sync);
    const edited = defaultFiles.map((f) => ({ ...f, text: f.text.replace('"hard-stop-budget"', '"hard-stop-budget-2"') }));
    const changed = buildSlices(compilePolicyFiles(schema, edited).policies, catalog);
    expect(slice(changed, "Agent", "argocd_sync_application")?.all?.setId).not.toBe(sync);
  });
});

describe("buildSlices on other policies", () => {
  const sliceOf = (text: string) => buildSlices(compilePolicyFiles(schema, [{ path: "p.cedar", text }]).policies, catalog);

  it("passes every action entity when a condition names another action's group", () => {
    const table = sliceOf(`@id("p") @reason("r") permit (principal, action, resource) when { Autopilot::Action::"h2o_train_model" in Autopilot::Action::"write" || context.dry_run };`);
    expect(slice(table, "Agent", "approve")?.all?.actionEntities).toBe(catalog.allActions);
  });

  it("passes the whole context when a policy reads it whole", () => {
    const table = sliceOf(`@id("p") @reason("r") permit (principal, action, resource) when { context.approved && [context].contains(context) };`);
    expect(slice(table, "Agent", "approve")?.all?.contextFields).toBeNull();
    // It cannot be specialised to an approval: an approval is asked about in a second evaluation.
    expect(slice(table, "Agent", "approve")).toMatchObject({ readsApproval: true, withApproval: null });
  });

  it("gives a variant an id no policy has, and a forbid's variant its own effect", () => {
    const table = sliceOf(
      [
        `@id("f") @reason("r") forbid (principal, action, resource) when { context.approved && context.dry_run };`,
        `@id("f#approved") @reason("r") permit (principal, action, resource) when { context.approved };`,
      ].join("\n"),
    );
    expect([...(slice(table, "Agent", "approve")?.withApproval?.variants ?? [])]).toEqual([
      ["f#approved#", { policy: "f", effect: "forbid" }],
      ["f#approved#approved", { policy: "f#approved", effect: "permit" }],
    ]);
  });
});
