import { policyToJson } from "@cedar-policy/cedar-wasm/nodejs";
import type { PolicyJson } from "@cedar-policy/cedar-wasm/nodejs";
import { describe, expect, it } from "vitest";
import { actionScopeIsExact, conditionReads, entityKey, scopeCanMatch } from "./policy-scope.js";
import type { SliceTarget } from "./policy-scope.js";

function json(text: string): PolicyJson {
  const answer = policyToJson(text);
  if (answer.type === "failure") throw new Error(answer.errors.map((e) => e.message).join("; "));
  return answer.json;
}

const action = (id: string) => entityKey({ type: "Autopilot::Action", id });

/** An Agent calling argocd_sync_application, a destructive tool of system argocd. */
const AGENT_SYNC: SliceTarget = {
  principalType: "Autopilot::Agent",
  principalAncestorTypes: new Set(),
  actionKeys: new Set([action("argocd_sync_application"), action("destructive"), action("system:argocd")]),
};

describe("scopeCanMatch", () => {
  it.each([
    ["principal", true],
    ["principal is Autopilot::Agent", true],
    ["principal is Autopilot::Operator", false],
    ['principal == Autopilot::Agent::"devops"', true],
    ['principal == Autopilot::McpClient::"devops"', false],
    ['principal in Autopilot::Agent::"devops"', true],
    ['principal in Autopilot::Environment::"production"', false],
    ['principal is Autopilot::Agent in Autopilot::Environment::"production"', true],
  ])("reads the principal scope %s", (scope, matches) => {
    expect(scopeCanMatch(json(`permit (${scope}, action, resource);`), AGENT_SYNC)).toBe(matches);
  });

  it("lets a principal be `in` an entity of a type the schema says it can belong to", () => {
    const policy = json(`permit (principal in Autopilot::Team::"ml", action, resource);`);
    expect(scopeCanMatch(policy, AGENT_SYNC)).toBe(false);
    expect(scopeCanMatch(policy, { ...AGENT_SYNC, principalAncestorTypes: new Set(["Autopilot::Team"]) })).toBe(true);
  });

  it.each([
    ["action", true],
    ['action == Autopilot::Action::"argocd_sync_application"', true],
    ['action == Autopilot::Action::"argocd_rollback_application"', false],
    ['action in Autopilot::Action::"destructive"', true],
    ['action in Autopilot::Action::"system:argocd"', true],
    ['action in Autopilot::Action::"write"', false],
    ['action in [Autopilot::Action::"readonly", Autopilot::Action::"destructive"]', true],
    ['action in [Autopilot::Action::"readonly", Autopilot::Action::"write"]', false],
    ['action in Autopilot::Action::"argocd_sync_application"', true],
  ])("reads the action scope %s", (scope, matches) => {
    expect(scopeCanMatch(json(`permit (principal, ${scope}, resource);`), AGENT_SYNC)).toBe(matches);
  });
});

describe("conditionReads", () => {
  const reads = (conditions: string) => conditionReads(json(`permit (principal, action, resource) ${conditions};`));

  it("collects the context fields every clause reads, however deep", () => {
    const r = reads(
      `when { context.approved && (context.phase == "promote" || !context.sandbox) } ` +
        `unless { ["a", "b"].contains(context.environment) || (if context.dry_run then context.canary_weight > 1 else context has gate_passed) }`,
    );
    expect(r).toEqual({ context: new Set(["approved", "phase", "sandbox", "environment", "dry_run", "canary_weight", "gate_passed"]), otherActions: false, ownAction: false });
  });

  it("reads no context from a policy without conditions, or one on the principal only", () => {
    expect(reads("")).toEqual({ context: new Set(), otherActions: false, ownAction: false });
    expect(reads(`when { principal is Autopilot::Agent && principal.role == "admin" }`)).toEqual({ context: new Set(), otherActions: false, ownAction: false });
  });

  it("looks inside records, sets and extension calls", () => {
    const r = reads(`when { {a: context.kill_switch}.a && [context.phase].contains("x") && decimal("1.0").lessThan(decimal("2.0")) && context.change_freeze }`);
    expect(r.context).toEqual(new Set(["kill_switch", "phase", "change_freeze"]));
  });

  it("gives up on trimming when the whole context is used", () => {
    expect(reads(`when { context == {} }`).context).toBe("all");
    expect(reads(`when { context.approved && [context].contains({}) }`).context).toBe("all");
  });

  it("needs only the request's own action entity for `action ==` and `action in` a literal", () => {
    expect(reads(`when { action in Autopilot::Action::"write" || action == Autopilot::Action::"approve" }`).otherActions).toBe(false);
    expect(reads(`when { action in [Autopilot::Action::"write", Autopilot::Action::"readonly"] }`).otherActions).toBe(false);
    // ... but that one: a slice must hand it to Cedar.
    expect(reads(`when { action in Autopilot::Action::"write" }`).ownAction).toBe(true);
    expect(reads(`when { context.dry_run }`).ownAction).toBe(false);
  });

  it("needs every action entity when another action's groups can matter", () => {
    expect(reads(`when { Autopilot::Action::"h2o_train_model" in Autopilot::Action::"write" }`).otherActions).toBe(true);
    expect(reads(`when { (if context.dry_run then Autopilot::Action::"a" else action) in Autopilot::Action::"write" }`).otherActions).toBe(true);
    expect(reads(`when { [Autopilot::Action::"approve"].contains(action) }`).otherActions).toBe(true);
  });
});

describe("actionScopeIsExact", () => {
  const scope = (head: string) => actionScopeIsExact(json(`permit (principal, ${head}, resource);`).action);

  it("holds for scopes the action alone settles", () => {
    expect(scope("action")).toBe(true);
    expect(scope(`action == Autopilot::Action::"approve"`)).toBe(true);
    expect(scope(`action in Autopilot::Action::"destructive"`)).toBe(true);
    expect(scope(`action in [Autopilot::Action::"write", Autopilot::Action::"approve"]`)).toBe(true);
  });
});
