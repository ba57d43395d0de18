import { z } from "zod";

/**
 * The trigger contract: which signal starts a cycle, what the loop does about it, the quality gate a
 * candidate must pass before promotion and the rule that rolls a deploy back. These are the
 * defaults; every threshold can be overridden by configuration (`parseTriggerContract`).
 */

/** The signals a cycle can be started by. */
export const SIGNALS = ["ndcg_drop", "recall_drop", "latency_p95", "etl_backlog", "cost", "nps", "detector_drift"] as const;
/** A signal of the trigger contract. */
export type Signal = (typeof SIGNALS)[number];
/** Signals the autopilot raises itself (its anomaly monitor), which no Prometheus rule fires. */
export const INTERNAL_SIGNALS: readonly Signal[] = ["detector_drift"];

/** The phases of the loop, in the order the loop visits them. */
export const PHASES = ["monitor", "diagnose", "augment", "train", "evaluate", "ab_test", "promote", "watch", "rollback"] as const;
/** A phase of the self-improvement loop. */
export type Phase = (typeof PHASES)[number];

/** How the candidate for a signal is produced in the train phase. */
export const CANDIDATE_STRATEGIES = ["fine_tune", "lighter_mode", "cheaper_variant", "processor_tuning", "retrain_detector", "none"] as const;
/** A way of producing a candidate. */
export type CandidateStrategy = (typeof CANDIDATE_STRATEGIES)[number];

const TriggerRule = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("relative_drop"), fraction: z.number().positive().max(1) }).describe("fires when value <= baseline * (1 - fraction)"),
  z.object({ kind: z.literal("above"), value: z.number() }).describe("fires when value > threshold"),
  z.object({ kind: z.literal("below"), value: z.number() }).describe("fires when value < threshold"),
]);
/** When a signal fires. */
export type TriggerRule = z.infer<typeof TriggerRule>;

const GateRule = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("relative_gain"), metric: z.string(), fraction: z.number() }).describe("candidate >= champion * (1 + fraction)"),
  z.object({ kind: z.literal("max_relative_rise_vs_baseline"), metric: z.string(), fraction: z.number() }).describe("candidate <= baseline * (1 + fraction)"),
  z.object({ kind: z.literal("no_loss"), metric: z.string() }).describe("candidate >= champion"),
  z.object({ kind: z.literal("within_budget"), metric: z.string() }).describe("candidate <= budget"),
  z.object({ kind: z.literal("manual_approval") }).describe("promotion needs a human's approval"),
  z.object({ kind: z.literal("manual") }).describe("no automatic candidate: escalate to a human"),
]);
/** The quality gate a candidate must pass before promotion. */
export type GateRule = z.infer<typeof GateRule>;
/** zod schema of one quality-gate rule (admins' overrides are validated with it). */
export const GateRuleSchema = GateRule;

const RollbackRule = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("below_pre_deploy"), margin: z.number().min(0).default(0) }).describe("value < pre-deploy value * (1 - margin)"),
  z.object({ kind: z.literal("above"), value: z.number() }).describe("value > threshold"),
  z.object({ kind: z.literal("below"), value: z.number() }).describe("value < threshold"),
]);
/** When a deploy is rolled back. */
export type RollbackRule = z.infer<typeof RollbackRule>;

const SignalContract = z.object({
  title: z.string(),
  /** The recording-rule series the agents query (see deploy/prometheus). */
  metric: z.string(),
  /** The series holding the metric's baseline (the healthy level it is compared against). */
  baselineMetric: z.string().optional(),
  unit: z.string(),
  direction: z.enum(["higher_is_better", "lower_is_better"]),
  trigger: TriggerRule,
  action: z.string(),
  candidate: z.enum(CANDIDATE_STRATEGIES),
  /** The phases after monitor/diagnose that this signal's action needs. */
  plan: z.array(z.enum(PHASES)),
  gate: z.array(GateRule),
  rollback: RollbackRule,
});
/** The contract of one signal. */
export type SignalContract = z.infer<typeof SignalContract>;

const Guardrail = z.object({ metric: z.string(), above: z.number(), title: z.string() });
/** A limit watched after every deploy, whatever started the cycle. */
export type Guardrail = z.infer<typeof Guardrail>;

const TriggerContractSchema = z.object({
  signals: z.record(z.enum(SIGNALS), SignalContract),
  guardrails: z.array(Guardrail),
  /** Share of traffic the candidate serves during A/B, in percent. */
  abTrafficPercent: z.number().min(1).max(50),
  /** Simulated or real minutes the A/B test and the post-deploy watch last. */
  abMinutes: z.number().positive(),
  watchMinutes: z.number().positive(),
});
/** The whole contract. */
export type TriggerContract = z.infer<typeof TriggerContractSchema>;

const LOOP: Phase[] = ["augment", "train", "evaluate", "ab_test", "promote", "watch"];

/** The default contract of the product. */
export const DEFAULT_TRIGGER_CONTRACT: TriggerContract = {
  signals: {
    ndcg_drop: {
      title: "NDCG@10 drop",
      metric: "search:ndcg_at_10",
      baselineMetric: "search:ndcg_at_10:baseline",
      unit: "ratio",
      direction: "higher_is_better",
      trigger: { kind: "relative_drop", fraction: 0.03 },
      action: "diagnose, augment data on weak topics, fine-tune reranker",
      candidate: "fine_tune",
      plan: LOOP,
      gate: [{ kind: "relative_gain", metric: "ndcg_at_10", fraction: 0.03 }],
      // 1% under the pre-deploy value: a metric that merely stays where it was (a rollout still in
      // progress, ordinary noise) is not a degradation.
      rollback: { kind: "below_pre_deploy", margin: 0.01 },
    },
    recall_drop: {
      title: "Recall@20 drop",
      metric: "search:recall_at_20",
      baselineMetric: "search:recall_at_20:baseline",
      unit: "ratio",
      direction: "higher_is_better",
      trigger: { kind: "relative_drop", fraction: 0.05 },
      action: "expand corpus, tune embeddings",
      candidate: "fine_tune",
      plan: LOOP,
      gate: [
        { kind: "no_loss", metric: "recall_at_20" },
        { kind: "within_budget", metric: "cost_budget_ratio" },
      ],
      rollback: { kind: "below_pre_deploy", margin: 0.02 },
    },
    latency_p95: {
      title: "p95 latency",
      metric: "search:latency_p95_seconds",
      baselineMetric: "search:latency_p95_seconds:baseline",
      unit: "seconds",
      direction: "lower_is_better",
      trigger: { kind: "above", value: 0.8 },
      action: "profile, switch to a lighter model mode",
      candidate: "lighter_mode",
      plan: ["train", "evaluate", "ab_test", "promote", "watch"],
      gate: [{ kind: "max_relative_rise_vs_baseline", metric: "latency_p95", fraction: 0.15 }],
      rollback: { kind: "above", value: 1.0 },
    },
    etl_backlog: {
      title: "ETL backlog",
      metric: "etl:backlog_seconds",
      baselineMetric: "etl:backlog_seconds:baseline",
      unit: "seconds",
      direction: "lower_is_better",
      trigger: { kind: "above", value: 60 },
      action: "optimize processor",
      candidate: "processor_tuning",
      // No new model: the gate checks the capacity change itself, the watch checks no quality was lost.
      plan: ["evaluate", "promote", "watch"],
      gate: [{ kind: "no_loss", metric: "ndcg_at_10" }],
      rollback: { kind: "above", value: 120 },
    },
    cost: {
      title: "cost",
      metric: "search:cost_budget_ratio",
      unit: "ratio of budget",
      direction: "lower_is_better",
      trigger: { kind: "above", value: 0.8 },
      action: "cheaper model variant",
      candidate: "cheaper_variant",
      plan: ["train", "evaluate", "promote", "watch"],
      gate: [{ kind: "no_loss", metric: "ndcg_at_10" }, { kind: "manual_approval" }],
      rollback: { kind: "above", value: 1.2 },
    },
    nps: {
      title: "user satisfaction (NPS)",
      metric: "search:user_satisfaction",
      unit: "score 0-5",
      direction: "higher_is_better",
      trigger: { kind: "below", value: 4.0 },
      action: "collect feedback, escalate",
      candidate: "none",
      plan: [],
      gate: [{ kind: "manual" }],
      rollback: { kind: "below", value: 3.5 },
    },
    detector_drift: {
      title: "anomaly detector input drift",
      // Not a Prometheus series: the monitor step measures the PSI of the series' recent feature
      // windows against the serving detector's training profile (tools/prometheus/check-detector-drift).
      metric: "autopilot:detector_input_psi",
      unit: "PSI",
      direction: "lower_is_better",
      trigger: { kind: "above", value: 0.25 },
      action: "retrain the series' detector on recent normal data, promote it only if precision and recall hold",
      candidate: "retrain_detector",
      plan: ["augment", "train", "evaluate", "promote"],
      gate: [
        { kind: "no_loss", metric: "precision" },
        { kind: "no_loss", metric: "recall" },
      ],
      rollback: { kind: "above", value: 0.25 },
    },
  },
  guardrails: [
    { metric: "search:latency_p95_seconds", above: 1.0, title: "p95 latency over 1000 ms" },
    { metric: "search:error_rate", above: 0.02, title: "error rate over 2%" },
  ],
  abTrafficPercent: 20,
  abMinutes: 60,
  watchMinutes: 120,
};

/** Validates a (partial) contract override and merges it over the defaults. */
export function parseTriggerContract(override: unknown = {}): TriggerContract {
  const base = structuredClone(DEFAULT_TRIGGER_CONTRACT);
  const patch = z.record(z.string(), z.unknown()).parse(override);
  const merged = deepMerge(base, patch);
  return TriggerContractSchema.parse(merged);
}

/**
 * `contract` with each override's rules as its signal's quality gate (the admins' per-environment
 * overrides); the result is validated like any contract, so a rule that does not parse throws.
 */
export function withGateOverrides(contract: TriggerContract, overrides: ReadonlyArray<{ signal: string; rules: unknown[] }>): TriggerContract {
  if (overrides.length === 0) return contract;
  const signals = Object.fromEntries(overrides.map((o) => [o.signal, { gate: o.rules }]));
  return TriggerContractSchema.parse(deepMerge(structuredClone(contract), { signals }));
}

function deepMerge(base: unknown, patch: unknown): unknown {
  if (Array.isArray(patch) || typeof patch !== "object" || patch === null) return patch;
  if (typeof base !== "object" || base === null || Array.isArray(base)) return patch;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) out[key] = deepMerge(out[key], value);
  return out;
}

/** Whether `value` breaches the signal's trigger rule given its `baseline`. */
export function isTriggered(rule: TriggerRule, value: number, baseline: number | undefined): boolean {
  switch (rule.kind) {
    case "relative_drop":
      return baseline !== undefined && value <= baseline * (1 - rule.fraction);
    case "above":
      return value > rule.value;
    case "below":
      return value < rule.value;
  }
}

/** Whether a post-deploy value breaches the rollback rule; `preDeploy` is the value just before the deploy. */
export function isRollbackBreached(rule: RollbackRule, value: number, preDeploy: number | undefined): boolean {
  switch (rule.kind) {
    case "below_pre_deploy":
      return preDeploy !== undefined && value < preDeploy * (1 - rule.margin);
    case "above":
      return value > rule.value;
    case "below":
      return value < rule.value;
  }
}

/** Whether `value` is a known signal name. */
export function isSignal(value: unknown): value is Signal {
  return typeof value === "string" && (SIGNALS as readonly string[]).includes(value);
}
