import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ENVIRONMENTS } from "../core/index.js";
import { ALL_TOOLS } from "../tools/index.js";
import { POLICY_PHASES } from "./context.js";
import type { PolicyContext } from "./context.js";
import { createPolicyEngine, DEFAULT_POLICY_DIR, readPolicyFiles } from "./engine.js";
import type { Decision, PolicyRequest } from "./engine.js";
import type { PolicyFile } from "./policy-set.js";
import { createReferenceEngine } from "./reference-engine.js";
import { buildCedarSchema, OPERATOR_ACTIONS, OPERATOR_ROLES, PRINCIPAL_TYPES } from "./schema.js";

// The sliced engine (a slice per principal type, action, environment and phase, each policy
// specialised to the last two, no schema at decide time, a trimmed context, only the entities
// that carry data, the second question put to the policies that read the approval) must decide
// exactly as the whole set with the schema does: same outcome, policies, hard stop, reasons,
// obligations and errors.

const schema = buildCedarSchema(ALL_TOOLS);
const defaultFiles = await readPolicyFiles(DEFAULT_POLICY_DIR);
const ACTIONS = [...ALL_TOOLS.map((t) => t.name), ...OPERATOR_ACTIONS];
const GROUPS = ["readonly", "write", "destructive", ...new Set(ALL_TOOLS.map((t) => `system:${t.system}`))];
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

/** True now and then: the hard-stop flags, so that most requests get past them. */
const rarely = fc.oneof({ arbitrary: fc.constant(false), weight: 5 }, { arbitrary: fc.constant(true), weight: 1 });

const contextArb: fc.Arbitrary<PolicyContext> = fc.record({
  environment: fc.constantFrom(...ENVIRONMENTS),
  sandbox: fc.boolean(),
  kill_switch: rarely,
  change_freeze: rarely,
  auto_promote: fc.boolean(),
  auto_rollback: fc.boolean(),
  ab_testing: fc.boolean(),
  manual_approval_required: fc.boolean(),
  budget_exhausted: rarely,
  cycle_limit_reached: rarely,
  approved: fc.boolean(),
  gate_passed: fc.boolean(),
  gate_needs_approval: fc.boolean(),
  phase: fc.constantFrom(...POLICY_PHASES),
  canary_weight: fc.integer({ min: 0, max: 100 }),
  dry_run: fc.boolean(),
});

const principalArb = (type: PolicyRequest["principal"]["type"]): fc.Arbitrary<PolicyRequest["principal"]> =>
  type === "Operator"
    ? fc.record({ type: fc.constant("Operator" as const), id: fc.constantFrom("ann", "bob"), role: fc.constantFrom(...OPERATOR_ROLES) })
    : fc.record({ type: fc.constant(type), id: fc.constantFrom("devops", "claude", "ann") });

/** A request of one principal type and action: on the Environment, an Application or a Model, now and then of another environment. */
function requestArb(type: PolicyRequest["principal"]["type"], action: fc.Arbitrary<string>): fc.Arbitrary<PolicyRequest> {
  return fc
    .record({
      principal: principalArb(type),
      action,
      context: contextArb,
      resource: fc.constantFrom("Environment", "Application", "Model", "Model without environment"),
      // Mostly none; otherwise a resource in any environment, often not the call's.
      elsewhere: fc.oneof({ arbitrary: fc.constant(null), weight: 6 }, { arbitrary: fc.constantFrom(...ENVIRONMENTS), weight: 1 }),
    })
    .map(({ principal, action, context, resource, elsewhere }) => {
      const env = elsewhere ?? context.environment;
      const target: PolicyRequest["resource"] =
        resource === "Environment"
          ? { type: "Environment", id: env }
          : resource === "Model without environment"
            ? { type: "Model", id: "reranker" }
            : { type: resource as "Application" | "Model", id: "search", environment: env };
      return { principal, action, context, resource: target };
    });
}

const anyRequestArb = fc.constantFrom(...PRINCIPAL_TYPES).chain((type) => requestArb(type, fc.constantFrom(...ACTIONS, "destructive", "nope_tool")));

const q = (type: string, id: string) => `Autopilot::${type}::"${id}"`;

/**
 * A condition the strict validator accepts whatever the scope. An atom on the principal, action or
 * resource can be constant for a scope, which makes a policy "impossible"; `(atom && flag) || flag`
 * keeps it a plain Boolean.
 */
const flagArb = fc.constantFrom(...BOOL_FIELDS).map((f) => `context.${f}`);
const scoped = (atom: fc.Arbitrary<string>) => fc.tuple(atom, flagArb, flagArb).map(([a, f, g]) => `((${a} && ${f}) || ${g})`);
const atomArb: fc.Arbitrary<string> = fc.oneof(
  flagArb,
  fc.constantFrom(...ENVIRONMENTS).map((e) => `context.environment == "${e}"`),
  fc.constantFrom(...ENVIRONMENTS).map((e) => `context.environment != "${e}"`),
  fc.constantFrom(...POLICY_PHASES).map((p) => `context.phase == "${p}"`),
  fc.subarray([...POLICY_PHASES], { minLength: 1, maxLength: 3 }).map((ps) => `${JSON.stringify(ps)}.contains(context.phase)`),
  fc.integer({ min: 0, max: 100 }).map((w) => `context.canary_weight <= ${w}`),
  scoped(fc.constantFrom(...GROUPS, ...ACTIONS).map((g) => `action in ${q("Action", g)}`)),
  scoped(fc.constantFrom(...ACTIONS).map((a) => `action == ${q("Action", a)}`)),
  scoped(fc.constantFrom(...ENVIRONMENTS).map((e) => `resource in ${q("Environment", e)}`)),
  scoped(fc.constantFrom(...PRINCIPAL_TYPES).map((t) => `principal is Autopilot::${t}`)),
  scoped(fc.constantFrom("principal", "resource").map((v) => `${v} has role`)),
  scoped(fc.constantFrom(...OPERATOR_ROLES).map((r) => `principal is Autopilot::Operator && principal.role == "${r}"`)),
  // Action entities other than the request's: Cedar then needs their groups too.
  fc
    .tuple(flagArb, fc.constantFrom(...ACTIONS), fc.constantFrom(...ACTIONS), fc.constantFrom(...GROUPS))
    .map(([f, a, b, g]) => `(if ${f} then ${q("Action", a)} else ${q("Action", b)}) in ${q("Action", g)}`),
  // Overflows once canary_weight is 2 or more: errors must match too. A Long beyond 2^53 keeps a
  // policy unspecialised; the second form, of smaller Longs, overflows for any weight but 0 and is
  // specialised, so a slice must keep the error wherever Cedar evaluates it.
  fc.constant("context.canary_weight * 9223372036854775807 > 0"),
  fc.constant("context.canary_weight * 4000000000000000 * 4000000000000000 > 0"),
  // Settled by the slice's environment or phase, with a branch Cedar may never evaluate.
  fc.tuple(fc.constantFrom(...POLICY_PHASES), flagArb, flagArb).map(([p, f, g]) => `(if context.phase == "${p}" then ${f} else ${g})`),
);

const conditionArb: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    atomArb,
    fc.tuple(tie("expr"), tie("expr")).map(([a, b]) => `(${a} && ${b})`),
    fc.tuple(tie("expr"), tie("expr")).map(([a, b]) => `(${a} || ${b})`),
    tie("expr").map((a) => `!(${a})`),
  ),
})).expr;

interface ExtraPolicy {
  effect: "permit" | "forbid";
  /**
   * A policy that holds only with an approval (`when { context.approved }` first): a permit so that
   * random sets reach require_approval, a forbid so that an approval can also be refused, or fail.
   */
  needsApproval: boolean;
  hardStop: boolean;
  obligation: string | null;
  principal: string;
  action: string;
  resource: string;
  clauses: Array<["when" | "unless", string]>;
}

const extraPolicyArb: fc.Arbitrary<ExtraPolicy> = fc.record({
  effect: fc.constantFrom("permit" as const, "forbid" as const),
  needsApproval: fc.boolean(),
  hardStop: rarely,
  obligation: fc.constantFrom(null, "canary_max_percent=20", "dry_run_only"),
  // Wide scopes weigh more than narrow ones, so that random policies often apply to random requests.
  principal: fc.oneof(
    { arbitrary: fc.constant("principal"), weight: 3 },
    { arbitrary: fc.constantFrom(...PRINCIPAL_TYPES).map((t) => `principal is Autopilot::${t}`), weight: 3 },
    { arbitrary: fc.constantFrom(...PRINCIPAL_TYPES).map((t) => `principal == ${q(t, t === "Operator" ? "ann" : "devops")}`), weight: 1 },
    { arbitrary: fc.constantFrom(...PRINCIPAL_TYPES).map((t) => `principal in ${q(t, t === "Operator" ? "bob" : "claude")}`), weight: 1 },
  ),
  action: fc.oneof(
    { arbitrary: fc.constant("action"), weight: 2 },
    { arbitrary: fc.constantFrom(...GROUPS.slice(0, 3)).map((g) => `action in ${q("Action", g)}`), weight: 3 },
    { arbitrary: fc.constantFrom(...ACTIONS).map((a) => `action == ${q("Action", a)}`), weight: 1 },
    { arbitrary: fc.constantFrom(...GROUPS, ...ACTIONS).map((g) => `action in ${q("Action", g)}`), weight: 1 },
    {
      arbitrary: fc
        .uniqueArray(fc.constantFrom(...GROUPS, ...ACTIONS), { minLength: 1, maxLength: 3 })
        .map((gs) => `action in [${gs.map((g) => q("Action", g)).join(", ")}]`),
      weight: 1,
    },
  ),
  resource: fc.constantFrom("resource", "resource is Autopilot::Application", `resource in ${q("Environment", "production")}`, `resource == ${q("Model", "search")}`),
  clauses: fc.array(fc.tuple(fc.constantFrom("when" as const, "unless" as const), conditionArb), { maxLength: 2 }),
});

function extraFile(policies: ExtraPolicy[]): PolicyFile {
  const text = policies
    .map((p, i) => {
      const annotations = [`@id("extra-${i}")`, `@reason("extra ${i}")`];
      if (p.effect === "forbid" && p.hardStop) annotations.push(`@hard_stop("true")`);
      if (p.effect === "permit" && p.obligation) annotations.push(`@obligation("${p.obligation}")`);
      const gate: Array<["when", string]> = p.needsApproval ? [["when", "context.approved"]] : [];
      const clauses = [...gate, ...p.clauses].map(([kind, body]) => `${kind} { ${body} }`).join(" ");
      return `${annotations.join("\n")}\n${p.effect} (${p.principal}, ${p.action}, ${p.resource})\n${clauses};\n`;
    })
    .join("\n");
  return { path: "extra.cedar", text };
}

/** What kinds of decision a run reached, so a generator that never reaches one fails the test. */
function tally(seen: Set<string>, decision: Decision): Decision {
  seen.add(decision.outcome);
  if (decision.hardStop) seen.add("hard stop");
  if (decision.errors.some((e) => e.startsWith("cedar: policy"))) seen.add("evaluation error");
  return decision;
}

/** Cedar lists evaluation errors in no set order: compare them (and the reasons they become) as sets. */
function errorsSorted(decision: Decision): Decision {
  return decision.errors.length === 0 ? decision : { ...decision, errors: [...decision.errors].sort(), reasons: [...decision.reasons].sort() };
}

describe("the sliced engine decides as the whole policy set with the schema", () => {
  const fast = createPolicyEngine({ schema, policyFiles: defaultFiles });
  const reference = createReferenceEngine(schema, defaultFiles);

  it("on the default policies, for every principal type and every action", () => {
    let requests = 0;
    const seen = new Set<string>();
    for (const type of PRINCIPAL_TYPES) {
      for (const action of ACTIONS) {
        fc.assert(
          fc.property(requestArb(type, fc.constant(action)), (request) => {
            requests += 1;
            expect(errorsSorted(tally(seen, fast.decide(request)))).toEqual(errorsSorted(reference.decide(request)));
          }),
          { numRuns: 30 },
        );
      }
    }
    expect(requests).toBe(PRINCIPAL_TYPES.length * ACTIONS.length * 30);
    expect([...seen].sort()).toEqual(["allow", "deny", "hard stop", "require_approval"]);
  });

  it("on the default policies, for a random mix with unknown actions and resources of other environments", () => {
    fc.assert(
      fc.property(anyRequestArb, (request) => {
        expect(errorsSorted(fast.decide(request))).toEqual(errorsSorted(reference.decide(request)));
      }),
      { numRuns: 1000 },
    );
  });

  it("on the default policies plus random policies", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.array(extraPolicyArb, { minLength: 1, maxLength: 4 }), fc.array(anyRequestArb, { minLength: 25, maxLength: 25 }), (extras, requests) => {
        const files = [...defaultFiles, extraFile(extras)];
        const withExtras = createPolicyEngine({ schema, policyFiles: files });
        const referenceWithExtras = createReferenceEngine(schema, files);
        for (const request of requests) expect(errorsSorted(tally(seen, withExtras.decide(request)))).toEqual(errorsSorted(referenceWithExtras.decide(request)));
      }),
      { numRuns: 80 },
    );
    expect([...seen].sort()).toEqual(["allow", "deny", "evaluation error", "hard stop", "require_approval"]);
  });

  it("on random policies alone, where slices are small and often empty", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.array(extraPolicyArb, { minLength: 2, maxLength: 8 }), fc.array(anyRequestArb, { minLength: 25, maxLength: 25 }), (extras, requests) => {
        const files = [extraFile(extras)];
        const onlyExtras = createPolicyEngine({ schema, policyFiles: files });
        const referenceOnlyExtras = createReferenceEngine(schema, files);
        for (const request of requests) expect(errorsSorted(tally(seen, onlyExtras.decide(request)))).toEqual(errorsSorted(referenceOnlyExtras.decide(request)));
      }),
      { numRuns: 40 },
    );
    // Small random sets deny most requests; the test above counts every other kind of decision.
    expect(seen).toContain("allow");
  });
});
