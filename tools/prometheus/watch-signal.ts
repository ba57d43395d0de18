import { z } from "zod";
import { DEFAULT_TRIGGER_CONTRACT, isRollbackBreached, sleepUntil, type WatchFinding } from "../../core/index.js";
import { defineTool, type ToolContext, type ToolOutcome } from "../tool.js";
import { firstSustainedBreach } from "./breach.js";
import { renderWatchReport, type WatchCheck, type WatchRule } from "./watch-report.js";
import {
  ALL_VARIANTS,
  PROMETHEUS_FLAGS,
  failure,
  finiteValues,
  fmt,
  isoSeconds,
  pct,
  rangeStepSeconds,
  selector,
  serviceField,
  signalContract,
  signalField,
  signalLabel,
  trafficSeries,
} from "./tool-support.js";

type Points = { timestamp: number; value: number }[];
type Breach = WatchFinding["breaches"][number];

const input = z.object({
  signal: signalField,
  service: serviceField,
  since: z.iso.datetime({ offset: true }).describe("RFC3339 time of the deploy"),
  minutes: z.number().positive().max(10_080).optional().describe("watch window in minutes; default the contract's watchMinutes"),
  check_every_minutes: z.number().min(1).max(1_440).default(10).describe("minutes between checks"),
  sustained_points: z
    .number()
    .int()
    .min(1)
    .max(60)
    .default(3)
    .describe("consecutive samples a breach must hold for; samples are a thirtieth of the window apart, between 15 s and 60 s (one minute for windows of 30 minutes and more)"),
});
type WatchInput = z.output<typeof input>;

/** `prometheus_watch_signal`: watches the rollback rule and the guardrails after a deploy, returning early on a sustained breach. */
export const watchSignalTool = defineTool({
  name: "prometheus_watch_signal",
  system: "prometheus",
  title: "Watch a signal after a deploy",
  description:
    "Watches the signal's rollback rule and every guardrail over [since, since + minutes] after a deploy, checking every check_every_minutes. Returns early, degraded, as soon as a rule is breached for sustained_points consecutive samples (one a minute on windows of 30 minutes and more); otherwise returns healthy at the end of the window.",
  input,
  flags: PROMETHEUS_FLAGS,
  finding: "watch",
  // A tool's timeout is fixed when it is defined, so it covers the default window (see the report).
  timeoutMs: (DEFAULT_TRIGGER_CONTRACT.watchMinutes + 10) * 60_000,
  async run(args, ctx): Promise<ToolOutcome<WatchFinding>> {
    const contract = signalContract(ctx, args.signal);
    const since = new Date(args.since);
    const query = (metric: string) => selector(metric, args.service, ALL_VARIANTS);
    const minutes = args.minutes ?? ctx.contract.watchMinutes;
    const stepSeconds = rangeStepSeconds(minutes);
    try {
      // The pre-deploy value is the sample one step before the deploy.
      const preAt = new Date(since.getTime() - stepSeconds * 1000);
      const preSample = trafficSeries(await ctx.clients.prometheus.query(query(contract.metric), { time: preAt, signal: ctx.signal }));
      const pre = preSample && Number.isFinite(preSample.value) ? preSample.value : undefined;
      if (pre === undefined && contract.rollback.kind === "below_pre_deploy") {
        const summary = `no pre-deploy sample for ${query(contract.metric)} at ${preAt.toISOString()}; the rollback rule of ${args.signal} compares against it`;
        return { status: "no_data", summary };
      }
      const guards = await qualityGuards(args, preAt, query, ctx);
      const rules = [...watchRules(args, pre, ctx), ...guards];
      const watched = await watch({ ...args, minutes, stepSeconds }, rules, query, ctx);
      if (!watched.sawSignal) {
        return { status: "no_data", summary: `no sample for ${query(contract.metric)} from ${args.since} to ${watched.end.toISOString()}` };
      }
      const { breaches, checks } = watched;
      const data: WatchFinding = {
        window: { start: since.toISOString(), end: watched.end.toISOString() },
        degraded: breaches.length > 0,
        breaches,
        final: checks.at(-1)?.values ?? {},
      };
      const found = breaches.map((b) => `${b.metric} ${fmt(b.value)} at ${b.at} (${b.rule})`).join("; ");
      const held = `${signalLabel(contract)} ${fmt(data.final[contract.metric] ?? NaN)}${pre === undefined ? "" : ` (pre-deploy ${fmt(pre)})`}`;
      const summary = data.degraded
        ? `${args.service} degraded after the deploy, stopped early at ${data.window.end}: ${found}`
        : `${args.service} held from ${data.window.start} to ${data.window.end}: ${held}, no sustained breach of ${rules.length} rules`;
      const content = renderWatchReport({ ...args, data, pre, preAt, rules, checks, queries: uniqueMetrics(rules).map(query), stepSeconds });
      return { status: "success", summary, data, artifacts: [{ kind: "watch_report", name: `watch-${args.signal}.md`, mediaType: "text/markdown", content }] };
    } catch (error) {
      return failure(error, ctx);
    }
  },
});

/** Series of the quality metrics a gate can name, for checking after a deploy that no quality was lost. */
const GATE_METRIC_SERIES: Record<string, string> = { ndcg_at_10: "search:ndcg_at_10", recall_at_20: "search:recall_at_20" };
/** Noise a quality guard tolerates before it calls a drop a loss. */
const QUALITY_TOLERANCE = 0.01;

/**
 * A guard per `no_loss` gate of the signal: what the gate promised before the deploy (no quality
 * loss) is checked against the live metric after it, from its pre-deploy value.
 */
async function qualityGuards(args: WatchInput, preAt: Date, query: (metric: string) => string, ctx: ToolContext): Promise<WatchRule[]> {
  const guards: WatchRule[] = [];
  for (const rule of signalContract(ctx, args.signal).gate) {
    const series = rule.kind === "no_loss" ? GATE_METRIC_SERIES[rule.metric] : undefined;
    if (rule.kind !== "no_loss") continue;
    if (!series) continue;
    const sample = trafficSeries(await ctx.clients.prometheus.query(query(series), { time: preAt, signal: ctx.signal }));
    if (!sample || !Number.isFinite(sample.value)) continue;
    const floor = sample.value * (1 - QUALITY_TOLERANCE);
    guards.push({ metric: series, rule: `quality gate: no loss of ${rule.metric} (pre-deploy ${fmt(sample.value)})`, threshold: floor, breaches: (v) => v < floor });
  }
  return guards;
}

/** The signal's rollback rule (when it can be evaluated) and every guardrail. */
function watchRules(args: WatchInput, pre: number | undefined, ctx: ToolContext): WatchRule[] {
  const contract = signalContract(ctx, args.signal);
  const rollback = contract.rollback;
  const rules: WatchRule[] = [];
  const name = `rollback rule of ${args.signal}`;
  if (rollback.kind !== "below_pre_deploy") {
    const rule = `${name}: ${rollback.kind} ${fmt(rollback.value)}`;
    rules.push({ metric: contract.metric, rule, threshold: rollback.value, breaches: (v) => isRollbackBreached(rollback, v, pre) });
  } else if (pre !== undefined) {
    const margin = rollback.margin > 0 ? ` by more than ${pct(rollback.margin)}` : "";
    const rule = `${name}: below the pre-deploy value ${fmt(pre)}${margin}`;
    rules.push({ metric: contract.metric, rule, threshold: pre * (1 - rollback.margin), breaches: (v) => isRollbackBreached(rollback, v, pre) });
  }
  for (const g of ctx.contract.guardrails) {
    rules.push({ metric: g.metric, rule: `guardrail: ${g.title}`, threshold: g.above, breaches: (v) => v > g.above });
  }
  return rules;
}

/**
 * Checks every `check_every_minutes` until the window ends or a rule is breached: each check
 * waits until its instant, then range-queries every watched metric from the deploy to that instant.
 */
async function watch(args: WatchInput & { minutes: number; stepSeconds: number }, rules: WatchRule[], query: (metric: string) => string, ctx: ToolContext) {
  const since = new Date(args.since);
  const end = new Date(since.getTime() + args.minutes * 60_000);
  const signalMetric = signalContract(ctx, args.signal).metric;
  const metrics = uniqueMetrics(rules, signalMetric);
  const checks: WatchCheck[] = [];
  let t = since;
  let breaches: Breach[] = [];
  let sawSignal = false;
  while (t < end && breaches.length === 0) {
    t = new Date(Math.min(t.getTime() + args.check_every_minutes * 60_000, end.getTime()));
    await sleepUntil(ctx.clock, t, ctx.signal);
    const range = { start: since, end: t, stepSeconds: args.stepSeconds, signal: ctx.signal };
    const latest = new Map(
      await Promise.all(metrics.map(async (m) => [m, finiteValues(trafficSeries(await ctx.clients.prometheus.queryRange(query(m), range)))] as const)),
    );
    sawSignal ||= (latest.get(signalMetric)?.length ?? 0) > 0;
    breaches = detect(rules, latest, args.sustained_points, args.stepSeconds);
    checks.push({ at: t.toISOString(), values: lastValues(latest) });
  }
  return { end: t, breaches, checks, sawSignal };
}

/** Breaches of the rules in the latest data; a guardrail repeating the signal's own rule counts once. */
function detect(rules: WatchRule[], latest: Map<string, Points>, sustained: number, stepSeconds: number): Breach[] {
  const found: Breach[] = [];
  for (const r of rules) {
    const hit = firstSustainedBreach(latest.get(r.metric) ?? [], r.breaches, sustained, stepSeconds);
    if (!hit || found.some((b) => b.metric === r.metric && b.threshold === r.threshold)) continue;
    found.push({ metric: r.metric, rule: r.rule, value: hit.value, threshold: r.threshold, at: isoSeconds(hit.timestamp) });
  }
  return found;
}

function lastValues(latest: Map<string, Points>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [metric, points] of latest) {
    const last = points.at(-1);
    if (last) out[metric] = last.value;
  }
  return out;
}

function uniqueMetrics(rules: WatchRule[], first?: string): string[] {
  return [...new Set([...(first ? [first] : []), ...rules.map((r) => r.metric)])];
}
