import type { GateCheck, GateRule } from "../../core/index.js";

/** What the quality gate compares. */
export interface GateInputs {
  /** The candidate's metrics (measured offline or estimated) by gate metric name. */
  candidate: Record<string, number>;
  /** The champion's metrics, or null when there is no champion. */
  champion: Record<string, number> | null;
  /** Baselines of metrics (e.g. latency_p95 from `search:latency_p95_seconds:baseline`). */
  baselines: Record<string, number>;
  /** Why a candidate metric or baseline is missing, by metric name, for the check's detail. */
  missing?: Record<string, string>;
}

/** The gate's verdict. */
export interface GateVerdict {
  passed: boolean;
  needs_approval: boolean;
  checks: GateCheck[];
}

/**
 * Applies every rule of a signal's quality gate. Comparison rules (relative_gain, no_loss) pass
 * when there is no champion to compare against; a metric that could not be measured or
 * estimated fails its check; manual_approval passes but asks for approval; manual fails.
 */
export function applyGate(rules: readonly GateRule[], inputs: GateInputs): GateVerdict {
  const checks = rules.map((rule) => check(rule, inputs));
  return {
    passed: checks.every((c) => c.passed),
    needs_approval: rules.some((r) => r.kind === "manual_approval"),
    checks,
  };
}

function check(rule: GateRule, inputs: GateInputs): GateCheck {
  switch (rule.kind) {
    case "manual_approval":
      return { rule: rule.kind, metric: "approval", candidate: null, reference: null, threshold: null, passed: true, detail: "promotion needs a human's approval" };
    case "manual":
      return { rule: rule.kind, metric: "none", candidate: null, reference: null, threshold: null, passed: false, detail: "no automatic candidate for this signal" };
  }
  const metric = rule.metric;
  const candidate = inputs.candidate[metric] ?? null;
  const base = { rule: rule.kind, metric, candidate };
  if (candidate === null) {
    const why = inputs.missing?.[metric] ?? "not computed by this evaluation";
    return { ...base, reference: null, threshold: null, passed: false, detail: `candidate ${metric} unavailable: ${why}` };
  }
  switch (rule.kind) {
    case "relative_gain":
    case "no_loss": {
      if (!inputs.champion) return { ...base, reference: null, threshold: null, passed: true, detail: "no champion to compare against" };
      const reference = inputs.champion[metric] ?? null;
      if (reference === null) return { ...base, reference, threshold: null, passed: false, detail: `champion ${metric} unavailable` };
      const fraction = rule.kind === "relative_gain" ? rule.fraction : 0;
      const threshold = reference * (1 + fraction);
      const passed = candidate >= threshold;
      const need = fraction ? `>= champion ${fmt(reference)} * ${fmt(1 + fraction)} = ${fmt(threshold)}` : `>= champion ${fmt(reference)}`;
      return { ...base, reference, threshold, passed, detail: `${metric} ${fmt(candidate)} ${passed ? "meets" : "misses"} ${need}` };
    }
    case "within_budget": {
      const reference = inputs.champion?.[metric] ?? null;
      const passed = candidate <= 1.0;
      return { ...base, reference, threshold: 1.0, passed, detail: `${metric} ${fmt(candidate)} ${passed ? "is within" : "exceeds"} the budget (<= 1.0)` };
    }
    case "max_relative_rise_vs_baseline": {
      const reference = inputs.baselines[metric] ?? null;
      if (reference === null) {
        const why = inputs.missing?.[`${metric}:baseline`] ?? "no baseline";
        return { ...base, reference, threshold: null, passed: false, detail: `${metric} baseline unavailable: ${why}` };
      }
      const threshold = reference * (1 + rule.fraction);
      const passed = candidate <= threshold;
      return { ...base, reference, threshold, passed, detail: `${metric} ${fmt(candidate)} ${passed ? "is within" : "exceeds"} baseline ${fmt(reference)} * ${fmt(1 + rule.fraction)} = ${fmt(threshold)}` };
    }
  }
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toPrecision(4);
}
