import { describe, expect, it } from "vitest";
import { ENVIRONMENTS } from "../core/index.js";
import type { Environment } from "../core/index.js";
import type { PolicyContext } from "./context.js";
import { DEFAULT_POLICY_DIR, loadPolicyEngine } from "./engine.js";
import type { Decision, PolicyRequest } from "./engine.js";
import { DEVOPS, FIXTURE_TOOLS, request, TOOLS_BY_GROUP } from "./test-fixtures.js";

const engine = await loadPolicyEngine(DEFAULT_POLICY_DIR, FIXTURE_TOOLS);

type Principal = PolicyRequest["principal"];
const AGENT: Principal = DEVOPS;
const VIEWER: Principal = { type: "Operator", id: "vera", role: "viewer" };
const OPERATOR: Principal = { type: "Operator", id: "otto", role: "operator" };
const ADMIN: Principal = { type: "Operator", id: "ada", role: "admin" };
const MCP: Principal = { type: "McpClient", id: "claude-desktop" };

const PROMOTE_OK: Partial<PolicyContext> = { phase: "promote", auto_promote: true, gate_passed: true, canary_weight: 100 };
const CANARY_OK: Partial<PolicyContext> = { phase: "ab_test", ab_testing: true, gate_passed: true, canary_weight: 20 };
const CANARY_CAP = [{ key: "canary_max_percent", value: "20" }];

interface Case {
  name: string;
  who: Principal;
  group: keyof typeof TOOLS_BY_GROUP;
  ctx: Partial<PolicyContext>;
  outcome: Decision["outcome"];
  policies: string[];
  obligations?: Decision["obligations"];
}

const TABLES: Record<Environment, Case[]> = {
  production: [
    { name: "agents read", who: AGENT, group: "readonly", ctx: { phase: "diagnose" }, outcome: "allow", policies: ["base-read-only"] },
    { name: "viewers read", who: VIEWER, group: "readonly", ctx: {}, outcome: "allow", policies: ["base-read-only"] },
    { name: "MCP clients read", who: MCP, group: "readonly", ctx: {}, outcome: "allow", policies: ["base-mcp-read-only"] },
    { name: "agents write", who: AGENT, group: "write", ctx: { phase: "train" }, outcome: "allow", policies: ["base-agent-write"] },
    { name: "MCP clients write only with an approval", who: MCP, group: "write", ctx: {}, outcome: "require_approval", policies: ["mcp-request-with-approval"] },
    { name: "operators write with an approval", who: OPERATOR, group: "write", ctx: {}, outcome: "require_approval", policies: ["approval-operator-change"] },
    { name: "viewers never write", who: VIEWER, group: "write", ctx: { approved: true }, outcome: "deny", policies: [] },
    { name: "auto-promote behind a passed gate", who: AGENT, group: "destructive", ctx: PROMOTE_OK, outcome: "allow", policies: ["production-auto-promote"] },
    { name: "the gate asks for a human", who: AGENT, group: "destructive", ctx: { ...PROMOTE_OK, gate_needs_approval: true }, outcome: "require_approval", policies: ["approval-agent-deploy"] },
    { name: "manual approval is required", who: AGENT, group: "destructive", ctx: { ...PROMOTE_OK, manual_approval_required: true }, outcome: "require_approval", policies: ["approval-agent-deploy"] },
    { name: "auto-promote is off", who: AGENT, group: "destructive", ctx: { ...PROMOTE_OK, auto_promote: false }, outcome: "require_approval", policies: ["approval-agent-deploy"] },
    { name: "a failed gate is never promoted", who: AGENT, group: "destructive", ctx: { ...PROMOTE_OK, gate_passed: false }, outcome: "deny", policies: [] },
    { name: "an approved promote the gate flagged", who: AGENT, group: "destructive", ctx: { ...PROMOTE_OK, gate_needs_approval: true, approved: true }, outcome: "allow", policies: ["approval-agent-deploy"] },
    { name: "an approved auto-promote", who: AGENT, group: "destructive", ctx: { ...PROMOTE_OK, approved: true }, outcome: "allow", policies: ["approval-agent-deploy", "production-auto-promote"] },
    { name: "a 20% canary", who: AGENT, group: "destructive", ctx: CANARY_OK, outcome: "allow", policies: ["production-canary"], obligations: CANARY_CAP },
    { name: "a canary over 20%", who: AGENT, group: "destructive", ctx: { ...CANARY_OK, canary_weight: 21 }, outcome: "require_approval", policies: ["approval-agent-deploy"], obligations: [] },
    { name: "a canary with A/B testing off", who: AGENT, group: "destructive", ctx: { ...CANARY_OK, ab_testing: false }, outcome: "require_approval", policies: ["approval-agent-deploy"] },
    { name: "a canary of a failed gate", who: AGENT, group: "destructive", ctx: { ...CANARY_OK, gate_passed: false }, outcome: "deny", policies: [] },
    { name: "auto-rollback", who: AGENT, group: "destructive", ctx: { phase: "rollback", auto_rollback: true }, outcome: "allow", policies: ["production-auto-rollback"] },
    { name: "a rollback with auto-rollback off", who: AGENT, group: "destructive", ctx: { phase: "rollback" }, outcome: "require_approval", policies: ["approval-agent-rollback"] },
    { name: "a deploy outside a cycle", who: AGENT, group: "destructive", ctx: { ...PROMOTE_OK, ...CANARY_OK, auto_rollback: true, phase: "none" }, outcome: "deny", policies: [] },
    { name: "MCP clients deploy only with an approval", who: MCP, group: "destructive", ctx: PROMOTE_OK, outcome: "require_approval", policies: ["mcp-request-with-approval"] },
    { name: "an MCP client's approved request runs", who: MCP, group: "destructive", ctx: { approved: true }, outcome: "allow", policies: ["mcp-request-with-approval"] },
    { name: "operators deploy with an approval", who: OPERATOR, group: "destructive", ctx: {}, outcome: "require_approval", policies: ["approval-operator-change"] },
    { name: "admins deploy once approved", who: ADMIN, group: "destructive", ctx: { approved: true }, outcome: "allow", policies: ["approval-operator-change"] },
    { name: "viewers never deploy", who: VIEWER, group: "destructive", ctx: { approved: true }, outcome: "deny", policies: [] },
  ],
  staging: [
    { name: "agents read", who: AGENT, group: "readonly", ctx: {}, outcome: "allow", policies: ["base-read-only"] },
    { name: "agents write", who: AGENT, group: "write", ctx: { phase: "augment" }, outcome: "allow", policies: ["base-agent-write"] },
    { name: "a 20% canary", who: AGENT, group: "destructive", ctx: CANARY_OK, outcome: "allow", policies: ["staging-canary"], obligations: CANARY_CAP },
    { name: "a canary over 20%", who: AGENT, group: "destructive", ctx: { ...CANARY_OK, canary_weight: 30 }, outcome: "require_approval", policies: ["approval-agent-deploy"] },
    { name: "no auto-promote even with every flag on", who: AGENT, group: "destructive", ctx: PROMOTE_OK, outcome: "require_approval", policies: ["approval-agent-deploy"] },
    { name: "an approved promote", who: AGENT, group: "destructive", ctx: { ...PROMOTE_OK, approved: true }, outcome: "allow", policies: ["approval-agent-deploy"] },
    { name: "a failed gate is never promoted", who: AGENT, group: "destructive", ctx: { ...PROMOTE_OK, gate_passed: false }, outcome: "deny", policies: ["staging-no-auto-promote"] },
    { name: "auto-rollback", who: AGENT, group: "destructive", ctx: { phase: "rollback", auto_rollback: true }, outcome: "allow", policies: ["staging-auto-rollback"] },
    { name: "a rollback with auto-rollback off", who: AGENT, group: "destructive", ctx: { phase: "rollback" }, outcome: "require_approval", policies: ["approval-agent-rollback"] },
    { name: "a change freeze only stops production", who: AGENT, group: "destructive", ctx: { phase: "rollback", auto_rollback: true, change_freeze: true }, outcome: "allow", policies: ["staging-auto-rollback"] },
    { name: "MCP clients deploy only with an approval", who: MCP, group: "destructive", ctx: CANARY_OK, outcome: "require_approval", policies: ["mcp-request-with-approval"] },
    { name: "operators write with an approval", who: OPERATOR, group: "write", ctx: {}, outcome: "require_approval", policies: ["approval-operator-change"] },
  ],
  dev: [
    { name: "agents read without the sandbox", who: AGENT, group: "readonly", ctx: {}, outcome: "allow", policies: ["base-read-only"] },
    { name: "MCP clients read without the sandbox", who: MCP, group: "readonly", ctx: {}, outcome: "allow", policies: ["base-mcp-read-only"] },
    { name: "agents write in the sandbox", who: AGENT, group: "write", ctx: { sandbox: true, phase: "train" }, outcome: "allow", policies: ["base-agent-write"] },
    { name: "agents do not write outside the sandbox", who: AGENT, group: "write", ctx: { phase: "train" }, outcome: "deny", policies: ["dev-sandbox-only"] },
    { name: "a sandbox promote", who: AGENT, group: "destructive", ctx: { sandbox: true, phase: "promote" }, outcome: "allow", policies: ["dev-sandbox-deploy"] },
    { name: "a full sandbox canary", who: AGENT, group: "destructive", ctx: { sandbox: true, phase: "ab_test", canary_weight: 100 }, outcome: "allow", policies: ["dev-sandbox-deploy"] },
    { name: "a sandbox rollback", who: AGENT, group: "destructive", ctx: { sandbox: true, phase: "rollback" }, outcome: "allow", policies: ["dev-sandbox-deploy"] },
    { name: "a sandbox deploy in the train phase", who: AGENT, group: "destructive", ctx: { sandbox: true, phase: "train", gate_passed: true }, outcome: "deny", policies: [] },
    { name: "no deploy outside the sandbox", who: AGENT, group: "destructive", ctx: PROMOTE_OK, outcome: "deny", policies: ["dev-sandbox-only"] },
    { name: "not even approved", who: AGENT, group: "destructive", ctx: { ...PROMOTE_OK, approved: true }, outcome: "deny", policies: ["dev-sandbox-only"] },
    { name: "not even by an approved admin", who: ADMIN, group: "write", ctx: { approved: true }, outcome: "deny", policies: ["dev-sandbox-only"] },
    { name: "an approved admin in the sandbox", who: ADMIN, group: "destructive", ctx: { sandbox: true, approved: true }, outcome: "allow", policies: ["approval-operator-change"] },
  ],
};

describe.each(ENVIRONMENTS)("default policies in %s", (environment) => {
  it.each(TABLES[environment])("$outcome: $name", (c) => {
    for (const tool of TOOLS_BY_GROUP[c.group]) {
      const decision = engine.decide(request(c.who, tool, { environment, ...c.ctx }));
      expect({ tool, outcome: decision.outcome, policies: decision.policies, errors: decision.errors }).toEqual({
        tool,
        outcome: c.outcome,
        policies: c.policies,
        errors: [],
      });
      expect(decision.hardStop).toBe(false);
      if (c.obligations) expect(decision.obligations).toEqual(c.obligations);
      expect(decision.reasons.length).toBeGreaterThan(0);
    }
  });
});

describe("operator actions", () => {
  it.each([
    ["admin", ADMIN, "kill_switch", {}, "allow"],
    ["admin", ADMIN, "set_flag", { kill_switch: true, budget_exhausted: true }, "allow"],
    ["operator", OPERATOR, "kill_switch", {}, "deny"],
    ["operator", OPERATOR, "set_flag", { approved: true }, "deny"],
    ["operator", OPERATOR, "approve", {}, "allow"],
    ["admin", ADMIN, "reject", {}, "allow"],
    ["viewer", VIEWER, "approve", {}, "deny"],
    ["agent", AGENT, "approve", { approved: true }, "deny"],
    ["MCP client", MCP, "kill_switch", {}, "deny"],
  ] as const)("%s calls %s: %s", (_who, who, action, ctx, outcome) => {
    expect(engine.decide(request(who, action, ctx)).outcome).toBe(outcome);
  });

  it("quotes the reason of the permit", () => {
    expect(engine.decide(request(ADMIN, "kill_switch")).reasons).toEqual(["admins may use the kill switch and set feature flags"]);
  });
});

// Everything else switched on, so that only the hard stop can be what denies.
const PERMISSIVE: Partial<PolicyContext> = { ...PROMOTE_OK, auto_rollback: true, ab_testing: true, sandbox: true, approved: true };

describe("hard stops", () => {
  const everyone = [AGENT, OPERATOR, ADMIN, MCP];
  const changing = [...TOOLS_BY_GROUP.write, ...TOOLS_BY_GROUP.destructive];

  it.each(ENVIRONMENTS)("the kill switch denies every non-read-only tool in %s, approved or not", (environment) => {
    for (const who of everyone) {
      for (const tool of changing) {
        for (const approved of [true, false]) {
          for (const phase of ["train", "ab_test", "promote", "rollback"] as const) {
            const decision = engine.decide(request(who, tool, { ...PERMISSIVE, environment, approved, phase, kill_switch: true }));
            expect({ tool, who, outcome: decision.outcome, hardStop: decision.hardStop }).toEqual({ tool, who, outcome: "deny", hardStop: true });
            expect(decision.policies).toContain("hard-stop-kill-switch");
            expect(decision.reasons).toContain("the kill switch is on: no tool that changes a system may run");
          }
        }
      }
    }
  });

  it("the kill switch leaves read-only tools alone", () => {
    for (const tool of TOOLS_BY_GROUP.readonly) {
      expect(engine.decide(request(AGENT, tool, { kill_switch: true })).outcome).toBe("allow");
    }
  });

  it("a production change freeze denies destructive tools, approved or not, and leaves writes alone", () => {
    for (const tool of TOOLS_BY_GROUP.destructive) {
      for (const phase of ["ab_test", "promote", "rollback"] as const) {
        for (const who of [AGENT, ADMIN]) {
          const decision = engine.decide(request(who, tool, { ...PERMISSIVE, phase, canary_weight: 10, change_freeze: true }));
          expect(decision).toMatchObject({ outcome: "deny", hardStop: true, policies: ["hard-stop-change-freeze"] });
        }
      }
    }
    for (const tool of TOOLS_BY_GROUP.write) {
      expect(engine.decide(request(AGENT, tool, { phase: "train", change_freeze: true })).outcome).toBe("allow");
    }
  });

  it.each([
    ["budget_exhausted", "hard-stop-budget"],
    ["cycle_limit_reached", "hard-stop-cycle-limit"],
  ] as const)("%s denies write and destructive tools and leaves reads alone", (flag, policy) => {
    for (const environment of ENVIRONMENTS) {
      for (const tool of changing) {
        const decision = engine.decide(request(AGENT, tool, { ...PERMISSIVE, environment, [flag]: true }));
        expect(decision).toMatchObject({ outcome: "deny", hardStop: true, policies: [policy] });
      }
      for (const tool of TOOLS_BY_GROUP.readonly) {
        expect(engine.decide(request(AGENT, tool, { environment, [flag]: true })).outcome).toBe("allow");
      }
    }
  });
});

describe("a prompt-injected deploy", () => {
  // The model was talked into deploying while diagnosing. The phase and gate come from recorded
  // findings, not from the model, so no flag, sandbox or approval turns this into a deploy.
  it.each(ENVIRONMENTS)("is denied outright in %s", (environment) => {
    for (const tool of TOOLS_BY_GROUP.destructive) {
      for (const sandbox of [false, true]) {
        for (const approved of [false, true]) {
          const ctx = { ...PERMISSIVE, environment, sandbox, approved, phase: "diagnose", gate_passed: false } as const;
          const decision = engine.decide(request(AGENT, tool, ctx));
          expect({ tool, sandbox, approved, outcome: decision.outcome }).toEqual({ tool, sandbox, approved, outcome: "deny" });
        }
      }
    }
  });
});
