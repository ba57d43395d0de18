import type { Decision, PolicyContext, PolicyEngine, PolicyRequest } from "../policies/index.js";
import { elapsedUs, summarize, type Summary } from "./stats.js";

/** One kind of request the decision benchmark times, with the outcome it must get. */
export interface DecisionKind {
  name: string;
  request: PolicyRequest;
  expect: Decision["outcome"];
  hardStop?: boolean;
}

const PRODUCTION: PolicyContext = {
  environment: "production",
  sandbox: false,
  kill_switch: false,
  change_freeze: false,
  auto_promote: true,
  auto_rollback: true,
  ab_testing: true,
  manual_approval_required: false,
  budget_exhausted: false,
  cycle_limit_reached: false,
  approved: false,
  gate_passed: true,
  gate_needs_approval: false,
  phase: "promote",
  canary_weight: 100,
  dry_run: false,
};

const on = { type: "Environment", id: "production" } as const;
const devops = { type: "Agent", id: "devops" } as const;

/** Representative requests against the default policies: the calls a production cycle makes most. */
export const DECISION_KINDS: readonly DecisionKind[] = [
  { name: "read allow", expect: "allow", request: { principal: { type: "Agent", id: "metrics-analyst" }, action: "prometheus_get_signal", resource: on, context: { ...PRODUCTION, phase: "monitor" } } },
  { name: "promote allow", expect: "allow", request: { principal: devops, action: "argocd_sync_application", resource: on, context: PRODUCTION } },
  { name: "require_approval", expect: "require_approval", request: { principal: devops, action: "argocd_sync_application", resource: on, context: { ...PRODUCTION, auto_promote: false } } },
  { name: "hard-stop deny", expect: "deny", hardStop: true, request: { principal: devops, action: "argocd_sync_application", resource: on, context: { ...PRODUCTION, kill_switch: true } } },
  { name: "unknown action deny", expect: "deny", request: { principal: devops, action: "argocd_delete_application", resource: on, context: PRODUCTION } },
];

/** Per kind and overall: latencies in µs and decisions per second. */
export interface DecisionResults {
  kinds: Array<{ name: string; outcome: Decision["outcome"]; latencyUs: Summary; perSecond: number }>;
  overall: { latencyUs: Summary; perSecond: number };
}

/**
 * Times engine.decide: checks each kind's outcome, warms up, then runs `iterations` rounds that
 * call every kind once each, so that drift and garbage collection fall on all kinds alike.
 */
export function benchDecisions(engine: PolicyEngine, kinds: readonly DecisionKind[], iterations: number, warmup: number): DecisionResults {
  for (const kind of kinds) {
    const decision = engine.decide(kind.request);
    if (decision.outcome !== kind.expect || decision.hardStop !== (kind.hardStop ?? false)) {
      throw new Error(`${kind.name}: expected ${kind.expect}${kind.hardStop ? " (hard stop)" : ""}, got ${JSON.stringify(decision)}`);
    }
  }
  for (let i = 0; i < warmup; i++) for (const kind of kinds) engine.decide(kind.request);
  const samples = kinds.map(() => new Array<number>(iterations));
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    for (let k = 0; k < kinds.length; k++) {
      const start = process.hrtime.bigint();
      engine.decide(kinds[k]!.request);
      samples[k]![i] = elapsedUs(start);
    }
  }
  const wallUs = elapsedUs(started);
  const results = kinds.map((kind, k) => {
    const latencyUs = summarize(samples[k]!);
    return { name: kind.name, outcome: kind.expect, latencyUs, perSecond: 1e6 / latencyUs.mean };
  });
  return { kinds: results, overall: { latencyUs: summarize(samples.flat()), perSecond: (iterations * kinds.length * 1e6) / wallUs } };
}
