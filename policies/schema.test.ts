import { describe, expect, it } from "vitest";
import { checkParseSchema } from "@cedar-policy/cedar-wasm/nodejs";
import { PolicyContextSchema } from "./context.js";
import { PolicyError } from "./errors.js";
import { buildCedarSchema, OPERATOR_ACTIONS } from "./schema.js";
import { FIXTURE_TOOLS } from "./test-fixtures.js";

const schema = buildCedarSchema(FIXTURE_TOOLS);
const ns = schema["Autopilot"]!;

describe("buildCedarSchema", () => {
  it("is a schema Cedar parses", () => {
    expect(checkParseSchema(schema)).toEqual({ type: "success" });
  });

  it("declares the principal and resource entity types, Application under Environment", () => {
    expect(Object.keys(ns.entityTypes).sort()).toEqual(["Agent", "Application", "Environment", "McpClient", "Model", "Operator"]);
    expect(ns.entityTypes["Application"]).toEqual({ memberOfTypes: ["Environment"] });
    expect(ns.entityTypes["Operator"]).toEqual({ shape: { type: "Record", attributes: { role: { type: "String", required: true } } } });
  });

  it.each([
    ["mlflow_get_model", "readonly", "system:mlflow"],
    ["dvc_augment_dataset", "write", "system:dvc"],
    ["h2o_train_model", "write", "system:h2o"],
    ["argocd_sync_application", "destructive", "system:argocd"],
    ["gitops_write_values", "destructive", "system:gitops"],
  ])("puts %s in the %s group and %s", (tool, group, system) => {
    expect(ns.actions[tool]?.memberOf).toEqual([{ id: group }, { id: system }]);
  });

  it("declares the group actions without appliesTo, so they cannot be requested", () => {
    for (const group of ["readonly", "write", "destructive", "system:prometheus", "system:autopilot"]) {
      expect(ns.actions[group]).toEqual({});
    }
  });

  it("gives every tool and operator action the same principals, resources and context", () => {
    const requestable = [...FIXTURE_TOOLS.map((t) => t.name), ...OPERATOR_ACTIONS];
    for (const name of requestable) {
      expect(ns.actions[name]?.appliesTo).toEqual({
        principalTypes: ["Agent", "Operator", "McpClient"],
        resourceTypes: ["Environment", "Application", "Model"],
        context: { type: "PolicyContext" },
      });
    }
  });

  it("has exactly the zod context's fields, all required", () => {
    const context = ns.commonTypes?.["PolicyContext"] as { attributes: Record<string, { type: string; required: boolean }> };
    expect(Object.keys(context.attributes).sort()).toEqual(Object.keys(PolicyContextSchema.shape).sort());
    expect(Object.values(context.attributes).every((a) => a.required)).toBe(true);
    expect(context.attributes["canary_weight"]?.type).toBe("Long");
    expect(context.attributes["phase"]?.type).toBe("String");
    expect(context.attributes["approved"]?.type).toBe("Boolean");
  });

  it("refuses a tool that is read-only and destructive, or whose name is taken", () => {
    const flags = { readOnly: true, destructive: true, idempotent: false, openWorld: false };
    expect(() => buildCedarSchema([{ name: "x_do_it", system: "x", flags }])).toThrow(/read-only and destructive/);
    const write = { ...flags, readOnly: false, destructive: false };
    expect(() => buildCedarSchema([{ name: "approve", system: "x", flags: write }])).toThrow(/taken/);
    const dup = () => buildCedarSchema([{ name: "x_a_b", system: "x", flags: write }, { name: "x_a_b", system: "x", flags: write }]);
    expect(dup).toThrow(/taken/);
    expect(dup).toThrow(PolicyError);
  });
});
