import { z } from "zod";
import { AutopilotError, SIGNALS, type EvaluationFinding, type GateRule } from "../../core/index.js";
import { defineTool, type ToolContext, type ToolOutcome } from "../tool.js";
import { errorOutcome } from "../outcome.js";
import { modelComplexity, rankingMetrics, type RankingMetrics } from "../h2o/index.js";
import type { MlflowModelVersion } from "./schemas.js";
import { applyGate } from "./gate.js";
import { instantValue, LIVE_SERIES, liveSelector, readEvalRows, scoreWithModels, type PrometheusInstantQuery } from "./evaluation.js";
import { VersionInput } from "./inputs.js";

const TIMEOUT_MS = 20 * 60_000;

const input = {
  signal: z.enum(SIGNALS).describe("The signal that started the cycle; its quality gate is applied"),
  service: z.string().min(1).describe("The service label of the live metrics, e.g. search"),
  model_name: z.string().min(1).describe("Registered model name in MLflow"),
  candidate_version: VersionInput.describe("Version number of the candidate to evaluate"),
  eval_dataset_path: z.string().regex(/^\//, "must be an absolute path").describe("Absolute path of the dataset directory holding eval.csv (as H2O and this process both see it)"),
};

/** One scored model of an evaluation. */
interface Scored {
  version: string;
  h2o_model_id: string;
  ranking: RankingMetrics;
  complexity: number | null;
  metrics: Record<string, number>;
}

/** Scores a candidate against the champion on the held-out set and applies the signal's quality gate. */
export const mlflowEvaluateCandidate = defineTool({
  name: "mlflow_evaluate_candidate",
  system: "mlflow",
  title: "Evaluate a candidate against the champion",
  description:
    "Scores the candidate version and the champion (alias `champion`, if any) on <eval_dataset_path>/eval.csv through H2O, " +
    "computes NDCG@10 and recall@20 overall and by topic, and applies every rule of the signal's quality gate. " +
    "Serving cost and latency cannot be measured offline, so they are estimated from model complexity " +
    "(number_of_trees * max_depth from H2O): latency_p95 = the live p95 of the service (search:latency_p95_seconds, variant all) " +
    "* candidate/champion complexity, and cost_budget_ratio = the live search:cost_budget_ratio * the same ratio; these are " +
    "queried only when the gate has a rule on them, and latency is compared with search:latency_p95_seconds:baseline. " +
    "Logs eval_* and champion_eval_* metrics to the candidate's run and tags the version autopilot.gate = passed|failed. " +
    "Returns the verdict with every check; all numbers come from the systems, never from the caller.",
  input: z.object(input),
  flags: { readOnly: false, destructive: false, idempotent: true, openWorld: true },
  finding: "evaluation",
  timeoutMs: TIMEOUT_MS,
  async run(args, ctx): Promise<ToolOutcome<EvaluationFinding>> {
    const { mlflow } = ctx.clients;
    const version = String(args.candidate_version);
    try {
      const contract = ctx.contract.signals[args.signal];
      if (!contract) throw new AutopilotError("no_gate", `the trigger contract has no signal ${args.signal}, so there is no quality gate to apply`);
      const rules: GateRule[] = contract.gate;
      const candidateVersion = await mlflow.getModelVersion(args.model_name, version, ctx.signal);
      if (!candidateVersion) throw new AutopilotError("mlflow_version_missing", `mlflow: model ${args.model_name} has no version ${version}`);
      const championVersion = await mlflow.getModelVersionByAlias(args.model_name, "champion", ctx.signal);
      const [candidate, champion] = await scoreBoth(ctx, args.eval_dataset_path, candidateVersion, championVersion);

      const missing: Record<string, string> = {};
      const baselines: Record<string, number> = {};
      await addEstimates(ctx, args.service, rules, candidate, champion, baselines, missing);
      const verdict = applyGate(rules, { candidate: candidate.metrics, champion: champion?.metrics ?? null, baselines, missing });

      const logged = await record(ctx, args.model_name, candidateVersion, candidate, champion, verdict.passed);
      const finding: EvaluationFinding = {
        ...verdict,
        candidate: { version, metrics: candidate.metrics },
        champion: { version: champion?.version ?? null, metrics: champion?.metrics ?? {} },
      };
      const report = {
        model_name: args.model_name,
        signal: args.signal,
        service: args.service,
        evaluated_at: ctx.clock.now().toISOString(),
        eval_file: evalFile(args.eval_dataset_path),
        ...finding,
        candidate: { ...finding.candidate, h2o_model_id: candidate.h2o_model_id, complexity: candidate.complexity, by_topic: candidate.ranking.by_topic },
        champion: champion
          ? { ...finding.champion, h2o_model_id: champion.h2o_model_id, complexity: champion.complexity, by_topic: champion.ranking.by_topic }
          : finding.champion,
        baselines,
        unavailable: missing,
        logged_to_run: logged,
      };
      return {
        status: "success",
        summary: summarize(args.model_name, version, verdict, champion?.version ?? null),
        data: finding,
        artifacts: [{ kind: "evaluation_results", name: `evaluation-v${version}.json`, mediaType: "application/json", content: JSON.stringify(report, null, 2) }],
      };
    } catch (error) {
      return errorOutcome(error);
    }
  },
});

async function scoreBoth(ctx: ToolContext, datasetPath: string, cand: MlflowModelVersion, champ: MlflowModelVersion | null): Promise<[Scored, Scored | null]> {
  const file = evalFile(datasetPath);
  const rows = await readEvalRows(file);
  const candId = h2oId(cand);
  const champId = champ ? h2oId(champ) : null;
  const ids = champId ? [candId, champId] : [candId];
  const frameId = `eval_${ctx.clock.now().getTime()}.hex`;
  const scores = await scoreWithModels(ctx.clients.h2o, file, ids, { rowCount: rows.length, frameId, timeoutMs: TIMEOUT_MS / 2, signal: ctx.signal });
  const scored = async (v: MlflowModelVersion, id: string): Promise<Scored> => {
    const predict = scores.get(id)!;
    const ranking = rankingMetrics(rows.map((r, i) => ({ ...r, score: predict[i] ?? null })));
    const complexity = modelComplexity(await ctx.clients.h2o.getModel(id, { signal: ctx.signal }));
    const metrics: Record<string, number> = {};
    if (ranking.ndcg_at_10 !== null) metrics.ndcg_at_10 = ranking.ndcg_at_10;
    if (ranking.recall_at_20 !== null) metrics.recall_at_20 = ranking.recall_at_20;
    if (complexity !== null) metrics.complexity = complexity;
    return { version: v.version, h2o_model_id: id, ranking, complexity, metrics };
  };
  return [await scored(cand, candId), champ && champId ? await scored(champ, champId) : null];
}

/** Adds the live values, their complexity-scaled estimates and baselines the gate's rules need. */
async function addEstimates(
  ctx: ToolContext,
  service: string,
  rules: readonly GateRule[],
  candidate: Scored,
  champion: Scored | null,
  baselines: Record<string, number>,
  missing: Record<string, string>,
): Promise<void> {
  const prom: PrometheusInstantQuery = ctx.clients.prometheus;
  const at = ctx.clock.now();
  const ratio = champion?.complexity && candidate.complexity !== null ? candidate.complexity / champion.complexity : null;
  for (const rule of rules) {
    if (rule.kind === "manual" || rule.kind === "manual_approval" || !(rule.metric in LIVE_SERIES)) continue;
    const metric = rule.metric;
    if (!(metric in candidate.metrics) && !(metric in missing)) {
      const live = await instantValue(prom, liveSelector(metric, service), at, ctx.signal);
      if (live === null) missing[metric] = `no live value of ${liveSelector(metric, service)} at ${at.toISOString()}`;
      else if (!champion) missing[metric] = "no champion to scale the live value from";
      else if (ratio === null) missing[metric] = "model complexity (number_of_trees * max_depth) unknown";
      else {
        champion.metrics[metric] = live;
        candidate.metrics[metric] = live * ratio;
      }
    }
    if (rule.kind === "max_relative_rise_vs_baseline" && !(metric in baselines)) {
      const baseline = await instantValue(prom, liveSelector(metric, service, true), at, ctx.signal);
      if (baseline === null) missing[`${metric}:baseline`] = `no value of ${liveSelector(metric, service, true)}`;
      else baselines[metric] = baseline;
    }
  }
}

/** Logs the metrics to the candidate's run and tags the version with the verdict; returns whether the run got them. */
async function record(ctx: ToolContext, name: string, v: MlflowModelVersion, candidate: Scored, champion: Scored | null, passed: boolean): Promise<boolean> {
  const { mlflow } = ctx.clients;
  const metrics: Record<string, number> = {};
  for (const [k, value] of Object.entries(candidate.metrics)) metrics[`eval_${k}`] = value;
  for (const [k, value] of Object.entries(champion?.metrics ?? {})) metrics[`champion_eval_${k}`] = value;
  if (v.run_id) await mlflow.logBatch(v.run_id, { metrics }, ctx.signal);
  await mlflow.setModelVersionTag(name, v.version, "autopilot.gate", passed ? "passed" : "failed", ctx.signal);
  return v.run_id !== null;
}

function h2oId(v: MlflowModelVersion): string {
  const id = v.tags.h2o_model_id;
  if (!id) throw new AutopilotError("mlflow_version_untagged", `mlflow: ${v.name} v${v.version} has no h2o_model_id tag, so it cannot be scored in H2O`);
  return id;
}

function evalFile(datasetPath: string): string {
  return `${datasetPath.replace(/\/+$/, "")}/eval.csv`;
}

function summarize(name: string, version: string, verdict: { passed: boolean; needs_approval: boolean; checks: { passed: boolean; detail: string }[] }, champion: string | null): string {
  const against = champion ? `against champion v${champion}` : "with no champion";
  const head = `${name} v${version} ${verdict.passed ? "passed" : "failed"} the gate ${against}`;
  const approval = verdict.passed && verdict.needs_approval ? "; promotion needs a human's approval" : "";
  const failed = verdict.checks.filter((c) => !c.passed).map((c) => c.detail);
  return `${head}${approval}${failed.length ? `: ${failed.join("; ")}` : ""}.`;
}
