import { describe, expect, it } from "vitest";
import { ENVIRONMENTS } from "../core/index.js";
import { ALL_TOOLS } from "../tools/index.js";
import type { PolicyContext } from "./context.js";
import { DEFAULT_POLICY_DIR, loadPolicyEngine } from "./engine.js";
import type { PolicyRequest } from "./engine.js";
import { request } from "./test-fixtures.js";

// The autopilot's own tools (tools/autopilot) under the shipped policies: everybody reads, people
// request cycles (dev's sandbox directly, elsewhere with an approval), agents never do.
const engine = await loadPolicyEngine(DEFAULT_POLICY_DIR, ALL_TOOLS);
const autopilot = ALL_TOOLS.filter((t) => t.system === "autopilot");
const READS = autopilot.filter((t) => t.flags.readOnly).map((t) => t.name);
const REQUEST = "autopilot_request_cycle";

type Principal = PolicyRequest["principal"];
const AGENT: Principal = { type: "Agent", id: "metrics-analyst" };
const VIEWER: Principal = { type: "Operator", id: "vera", role: "viewer" };
const OPERATOR: Principal = { type: "Operator", id: "otto", role: "operator" };
const ADMIN: Principal = { type: "Operator", id: "ada", role: "admin" };
const MCP: Principal = { type: "McpClient", id: "claude-desktop" };

const decide = (who: Principal, action: string, ctx: Partial<PolicyContext>) => {
  const d = engine.decide(request(who, action, ctx));
  return { outcome: d.outcome, policies: d.policies, hardStop: d.hardStop };
};

describe("reading the autopilot's records", () => {
  it("is the only change-free thing here: four read tools, one request", () => {
    expect(READS).toEqual(["autopilot_list_cycles", "autopilot_get_cycle", "autopilot_get_cycle_audit", "autopilot_list_approvals"]);
    expect(autopilot.filter((t) => !t.flags.readOnly).map((t) => t.name)).toEqual([REQUEST]);
  });

  it.each(ENVIRONMENTS)("is allowed to agents, every operator role and MCP clients in %s, kill switch or not", (environment) => {
    for (const tool of READS) {
      for (const kill_switch of [false, true]) {
        for (const who of [AGENT, VIEWER, OPERATOR, ADMIN]) expect(decide(who, tool, { environment, kill_switch })).toEqual({ outcome: "allow", policies: ["base-read-only"], hardStop: false });
        expect(decide(MCP, tool, { environment, kill_switch })).toEqual({ outcome: "allow", policies: ["base-mcp-read-only"], hardStop: false });
      }
    }
  });
});

describe("requesting a cycle", () => {
  it.each(["production", "staging"] as const)("waits for an approval in %s, for operators and MCP clients alike", (environment) => {
    for (const sandbox of [false, true]) {
      expect(decide(OPERATOR, REQUEST, { environment, sandbox })).toEqual({ outcome: "require_approval", policies: ["approval-operator-change"], hardStop: false });
      expect(decide(ADMIN, REQUEST, { environment, sandbox })).toEqual({ outcome: "require_approval", policies: ["approval-operator-change"], hardStop: false });
      expect(decide(MCP, REQUEST, { environment, sandbox })).toEqual({ outcome: "require_approval", policies: ["mcp-request-with-approval"], hardStop: false });
      expect(decide(OPERATOR, REQUEST, { environment, sandbox, approved: true })).toEqual({ outcome: "allow", policies: ["approval-operator-change"], hardStop: false });
      expect(decide(MCP, REQUEST, { environment, sandbox, approved: true })).toEqual({ outcome: "allow", policies: ["mcp-request-with-approval"], hardStop: false });
    }
  });

  it("runs at once for operators in dev's sandbox; MCP clients still wait for an approval there", () => {
    const ctx = { environment: "dev", sandbox: true } as const;
    expect(decide(OPERATOR, REQUEST, ctx)).toEqual({ outcome: "allow", policies: ["dev-operator-request"], hardStop: false });
    expect(decide(ADMIN, REQUEST, ctx)).toEqual({ outcome: "allow", policies: ["dev-operator-request"], hardStop: false });
    expect(decide(MCP, REQUEST, ctx).outcome).toBe("require_approval");
  });

  it("is refused in dev outside the sandbox, approved or not", () => {
    for (const who of [OPERATOR, ADMIN, MCP]) {
      for (const approved of [false, true]) expect(decide(who, REQUEST, { environment: "dev", approved })).toEqual({ outcome: "deny", policies: ["dev-sandbox-only"], hardStop: false });
    }
  });

  it.each(ENVIRONMENTS)("is never granted to viewers or agents in %s, whatever the approval", (environment) => {
    for (const approved of [false, true]) {
      for (const sandbox of [false, true]) {
        expect(decide(VIEWER, REQUEST, { environment, sandbox, approved }).outcome).toBe("deny");
        const agent = decide(AGENT, REQUEST, { environment, sandbox, approved, phase: "train" });
        expect(agent.outcome).toBe("deny");
        expect(agent.policies).toContain("base-agent-no-autopilot-change");
      }
    }
  });

  it.each(ENVIRONMENTS)("stops under the kill switch in %s with its reason, for everyone", (environment) => {
    for (const who of [OPERATOR, ADMIN, MCP]) {
      for (const approved of [false, true]) {
        const d = engine.decide(request(who, REQUEST, { environment, sandbox: true, approved, kill_switch: true }));
        expect(d).toMatchObject({ outcome: "deny", hardStop: true });
        expect(d.reasons).toContain("the kill switch is on: no tool that changes a system may run");
      }
    }
  });
});
