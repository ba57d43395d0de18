import { describe, expect, it } from "vitest";
import { readPolicyFiles, DEFAULT_POLICY_DIR } from "./engine.js";
import { compilePolicyFiles } from "./policy-set.js";
import { buildSlices, readSchemaCatalog } from "./slices.js";
import type { SliceTable } from "./slices.js";
import { buildCedarSchema } from "./schema.js";
import { FIXTURE_TOOLS } from "./test-fixtures.js";

const schema = buildCedarSchema(FIXTURE_TOOLS);
const catalog = readSchemaCatalog(schema);
const defaultFiles = await readPolicyFiles(DEFAULT_POLICY_DIR);
const slices = buildSlices(compilePolicyFiles(schema, defaultFiles).policies, catalog);
const slice = (table: SliceTable, principal: "Agent" | "Operator" | "McpClient", action: string) => table.get(principal)?.get(action);

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
      approval: null,
    });
    expect(slice(slices, "McpClient", "argocd_sync_application")?.all).toMatchObject({
      policies: ["mcp-no-destructive", "dev-sandbox-only", "hard-stop-kill-switch", "hard-stop-change-freeze", "hard-stop-budget", "hard-stop-cycle-limit"],
      contextFields: ["budget_exhausted", "change_freeze", "cycle_limit_reached", "environment", "kill_switch", "sandbox"],
    });
    expect(slice(slices, "Operator", "kill_switch")?.all?.policies).toEqual(["admin-kill-switch-and-flags"]);
  });

  it("keeps apart the policies that read the approval, for the second question", () => {
    const deploy = slice(slices, "Agent", "argocd_sync_application");
    expect(deploy?.approval?.policies).toEqual(["approval-agent-deploy", "approval-agent-rollback", "staging-no-auto-promote"]);
    expect(deploy?.approval?.contextFields).toEqual(["approved", "environment", "gate_passed", "phase"]);
    expect(deploy?.all?.policies).toHaveLength(14);
  });

  it("has no set at all where no policy applies", () => {
    expect(slice(slices, "McpClient", "approve")).toEqual({ all: null, approval: null });
    expect(slice(slices, "Agent", "set_flag")).toEqual({ all: null, approval: null });
  });

  it("gives each slice the action's entity, with its groups", () => {
    expect(slice(slices, "Agent", "h2o_train_model")?.all?.actionEntities).toEqual([catalog.actions.get("h2o_train_model")]);
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
    expect(slice(table, "Agent", "approve")?.approval?.policies).toEqual(["p"]);
  });
});
