import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ENVIRONMENTS } from "../core/index.js";
import { POLICY_PHASES } from "./context.js";
import type { PolicyContext } from "./context.js";
import { createPolicyEngine, DEFAULT_POLICY_DIR, readPolicyFiles } from "./engine.js";
import type { Decision, PolicyRequest } from "./engine.js";
import { buildCedarSchema, OPERATOR_ACTIONS, OPERATOR_ROLES, PRINCIPAL_TYPES } from "./schema.js";
import { FIXTURE_TOOLS, TOOLS_BY_GROUP } from "./test-fixtures.js";

const schema = buildCedarSchema(FIXTURE_TOOLS);
const defaultFiles = await readPolicyFiles(DEFAULT_POLICY_DIR);
const engine = createPolicyEngine({ schema, policyFiles: defaultFiles });

const BOOL_FIELDS = [
  "sandbox",
  "kill_switch",
  "change_freeze",
  "auto_promote",
  "auto_rollback",
  "ab_testing",
  "manual_approval_required",
  "budget_exhausted",
  "cycle_limit_reached",
  "approved",
  "gate_passed",
  "gate_needs_approval",
  "dry_run",
] as const satisfies readonly (keyof PolicyContext)[];

const contextArb: fc.Arbitrary<PolicyContext> = fc.record({
  environment: fc.constantFrom(...ENVIRONMENTS),
  sandbox: fc.boolean(),
  kill_switch: fc.boolean(),
  change_freeze: fc.boolean(),
  auto_promote: fc.boolean(),
  auto_rollback: fc.boolean(),
  ab_testing: fc.boolean(),
  manual_approval_required: fc.boolean(),
  budget_exhausted: fc.boolean(),
  cycle_limit_reached: fc.boolean(),
  approved: fc.boolean(),
  gate_passed: fc.boolean(),
  gate_needs_approval: fc.boolean(),
  phase: fc.constantFrom(...POLICY_PHASES),
  canary_weight: fc.integer({ min: 0, max: 100 }),
  dry_run: fc.boolean(),
});

const principalArb: fc.Arbitrary<PolicyRequest["principal"]> = fc.oneof(
  fc.record({ type: fc.constant("Agent" as const), id: fc.constantFrom("devops", "ml-engineer", "data-engineer") }),
  fc.record({ type: fc.constant("Operator" as const), id: fc.constantFrom("ann", "bob"), role: fc.constantFrom(...OPERATOR_ROLES) }),
  fc.record({ type: fc.constant("McpClient" as const), id: fc.constantFrom("claude", "cursor") }),
);

const ACTIONS = [...FIXTURE_TOOLS.map((t) => t.name), ...OPERATOR_ACTIONS];

/** A request on the Environment, an Application or a Model of the context's environment. */
function requestArb(actions: readonly string[] = ACTIONS, ctx: fc.Arbitrary<PolicyContext> = contextArb): fc.Arbitrary<PolicyRequest> {
  return fc
    .record({ principal: principalArb, action: fc.constantFrom(...actions), context: ctx, resourceKind: fc.constantFrom("Environment", "Application", "Model") })
    .map(({ principal, action, context, resourceKind }) => ({
      principal,
      action,
      context,
      resource:
        resourceKind === "Environment"
          ? { type: "Environment" as const, id: context.environment }
          : { type: resourceKind as "Application" | "Model", id: "search", environment: context.environment },
    }));
}

const RANK: Record<Decision["outcome"], number> = { deny: 0, require_approval: 1, allow: 2 };

/** A random forbid policy in Cedar text: a scope, a condition on the context, maybe a hard stop. */
const forbidArb = fc
  .record({
    principal: fc.constantFrom("principal", ...PRINCIPAL_TYPES.map((t) => `principal is Autopilot::${t}`)),
    action: fc.constantFrom(
      "action",
      ...["readonly", "write", "destructive", "system:argocd", "system:mlflow", ...ACTIONS].map((a) => `action in Autopilot::Action::"${a}"`),
    ),
    condition: fc.oneof(
      fc.constantFrom(...BOOL_FIELDS).chain((f) => fc.constantFrom(`context.${f}`, `!context.${f}`)),
      fc.constantFrom(...ENVIRONMENTS).map((e) => `context.environment == "${e}"`),
      fc.constantFrom(...POLICY_PHASES).map((p) => `context.phase == "${p}"`),
      fc.integer({ min: 0, max: 100 }).map((w) => `context.canary_weight > ${w}`),
    ),
    hardStop: fc.boolean(),
  })
  .map(({ principal, action, condition, hardStop }) => ({
    path: "extra.cedar",
    text: `@id("extra-forbid")\n@reason("extra")\n${hardStop ? '@hard_stop("true")\n' : ""}forbid (${principal}, ${action}, resource)\nwhen { ${condition} };\n`,
  }));

describe("policy engine properties", () => {
  it("denies everything when no policy permits anything (default deny)", () => {
    const empty = createPolicyEngine({ schema, policyFiles: [] });
    const forbidsOnly = createPolicyEngine({ schema, policyFiles: defaultFiles.filter((f) => f.path.endsWith("hard-stops.cedar")) });
    fc.assert(
      fc.property(requestArb(), (request) => {
        for (const e of [empty, forbidsOnly]) {
          const decision = e.decide(request);
          expect(decision.outcome).toBe("deny");
          expect(decision.obligations).toEqual([]);
        }
        expect(empty.decide(request).reasons).toEqual([
          `no policy permits ${request.principal.type}::"${request.principal.id}" to call ${request.action} in ${request.context.environment}`,
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it("lets a forbid beat a permit", () => {
    const engines = new Map(
      BOOL_FIELDS.map((field) => [
        field,
        createPolicyEngine({
          schema,
          policyFiles: [
            { path: "all.cedar", text: `@id("all") @reason("all") permit (principal, action, resource);` },
            { path: "no.cedar", text: `@id("no") @reason("no") forbid (principal, action, resource) when { context.${field} };` },
          ],
        }),
      ]),
    );
    fc.assert(
      fc.property(requestArb(), fc.constantFrom(...BOOL_FIELDS), (request, field) => {
        const decision = engines.get(field)!.decide(request);
        if (request.context[field]) expect(decision).toMatchObject({ outcome: "deny", policies: ["no"], reasons: ["no"] });
        else expect(decision).toMatchObject({ outcome: "allow", policies: ["all"] });
      }),
      { numRuns: 300 },
    );
  });

  it("denies every destructive and write tool while the kill switch is on", () => {
    const killed = contextArb.map((c) => ({ ...c, kill_switch: true }));
    fc.assert(
      fc.property(requestArb([...TOOLS_BY_GROUP.destructive, ...TOOLS_BY_GROUP.write], killed), (request) => {
        const decision = engine.decide(request);
        expect(decision).toMatchObject({ outcome: "deny", hardStop: true });
        expect(decision.policies).toContain("hard-stop-kill-switch");
      }),
      { numRuns: 500 },
    );
  });

  it("never makes a decision more permissive by adding a forbid", () => {
    fc.assert(
      fc.property(forbidArb, fc.array(requestArb(), { minLength: 20, maxLength: 20 }), (forbid, requests) => {
        const stricter = createPolicyEngine({ schema, policyFiles: [...defaultFiles, forbid] });
        for (const request of requests) {
          const before = engine.decide(request);
          const after = stricter.decide(request);
          expect(RANK[after.outcome]).toBeLessThanOrEqual(RANK[before.outcome]);
          if (before.outcome === "deny") expect(after.outcome).toBe("deny");
        }
      }),
      { numRuns: 60 },
    );
  });

  it("is deterministic: the same request gets the same decision, from any engine over the same files", () => {
    const twin = createPolicyEngine({ schema, policyFiles: defaultFiles });
    fc.assert(
      fc.property(requestArb(), requestArb(), (request, other) => {
        const first = engine.decide(request);
        engine.decide(other);
        expect(engine.decide(structuredClone(request))).toEqual(first);
        expect(twin.decide(request)).toEqual(first);
      }),
      { numRuns: 300 },
    );
  });

  it("only allows with no errors, and only hard-stops on deny", () => {
    fc.assert(
      fc.property(requestArb(), (request) => {
        const decision = engine.decide(request);
        expect(decision.errors).toEqual([]);
        expect(decision.reasons.length).toBeGreaterThan(0);
        if (decision.hardStop) expect(decision.outcome).toBe("deny");
        if (decision.outcome !== "deny") expect(decision.policies.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe("engine errors", () => {
  // A policy that passes strict validation but fails when evaluated: Long overflow once the weight is 2 or more.
  const overflow = (effect: "permit" | "forbid") => ({
    path: "overflow.cedar",
    text: `@id("overflows")\n@reason("a rule whose evaluation fails")\n${effect} (principal, action, resource)\nwhen { context.canary_weight * 9223372036854775807 > 0 };\n`,
  });
  const failing = contextArb.map((c) => ({ ...c, canary_weight: Math.max(2, c.canary_weight) }));

  it("always denies when a policy cannot be evaluated, whatever the other policies allow", () => {
    for (const effect of ["permit", "forbid"] as const) {
      const withError = createPolicyEngine({ schema, policyFiles: [...defaultFiles, overflow(effect)] });
      fc.assert(
        fc.property(requestArb(ACTIONS, failing), (request) => {
          const decision = withError.decide(request);
          // The error only counts where the policy can apply: it applies to every request here.
          expect(decision.outcome).toBe("deny");
          expect(decision.errors.join(" ")).toMatch(/overflows/);
        }),
        { numRuns: 200 },
      );
    }
  });
});
