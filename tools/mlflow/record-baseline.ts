import { z } from "zod";
import type { BaselineFinding } from "../../core/index.js";
import { defineTool, type ToolOutcome } from "../tool.js";
import { errorOutcome } from "../outcome.js";
import { BASELINE_METRICS, GOLD_ALIAS, recordedMetric, STABLE_SINCE_TAG, STABLE_TAG, stableVersions } from "./baseline.js";
import { ModelNameInput, VersionInput } from "./inputs.js";

/**
 * `mlflow_record_baseline`: after a deploy held, marks its version stable (a rollback target) and,
 * when it beats the best quality ever recorded among stable versions, moves the `gold` alias to it.
 */
export const mlflowRecordBaseline = defineTool({
  name: "mlflow_record_baseline",
  system: "mlflow",
  title: "Record a stable baseline",
  description:
    `Marks a model version stable (tag ${STABLE_TAG}) once its deploy held after the watch, so rollbacks can target it, ` +
    `and moves the '${GOLD_ALIAS}' alias to it when its recorded offline metric (eval_<metric> of its run) beats every stable version's. ` +
    "The gold alias is a reference; it does not change what serves.",
  input: z.object({
    model_name: ModelNameInput.describe("Registered model name"),
    version: VersionInput.describe("The version whose deploy held"),
    metric: z.enum(BASELINE_METRICS).default("ndcg_at_10").describe("The quality metric gold is judged on"),
  }),
  flags: { readOnly: false, destructive: false, idempotent: true, openWorld: true },
  finding: "baseline",
  async run(input, ctx): Promise<ToolOutcome<BaselineFinding>> {
    const { mlflow } = ctx.clients;
    const name = input.model_name;
    const version = String(input.version);
    try {
      const mv = await mlflow.getModelVersion(name, version, ctx.signal);
      if (!mv) return { status: "no_data", summary: `${name} has no version ${version}` };
      const now = ctx.clock.now().toISOString();
      await mlflow.setModelVersionTag(name, version, STABLE_TAG, "true", ctx.signal);
      await mlflow.setModelVersionTag(name, version, STABLE_SINCE_TAG, now, ctx.signal);
      if (ctx.cycleId) await mlflow.setModelVersionTag(name, version, "autopilot.stable_cycle", ctx.cycleId, ctx.signal);
      const value = await recordedMetric(mlflow, mv.run_id, input.metric, ctx.signal);
      // The best recorded so far: the gold version and every other stable version.
      const gold = await mlflow.getModelVersionByAlias(name, GOLD_ALIAS, ctx.signal);
      const others = (await stableVersions(mlflow, name, ctx.signal)).filter((v) => v.version !== version);
      if (gold && gold.version !== version && !others.some((v) => v.version === gold.version)) others.push(gold);
      let best: { version: string; value: number } | null = null;
      for (const v of others) {
        const m = await recordedMetric(mlflow, v.run_id, input.metric, ctx.signal);
        if (m !== null && (best === null || m > best.value)) best = { version: v.version, value: m };
      }
      const isGold = value !== null && (best === null || value > best.value);
      if (isGold) await mlflow.setAlias(name, GOLD_ALIAS, version, ctx.signal);
      const data: BaselineFinding = {
        model_name: name,
        version,
        stable: true,
        metric: input.metric,
        value,
        best_before: best,
        gold: isGold,
        previous_gold: gold?.version ?? null,
      };
      const summary = isGold
        ? `${name} v${version} is stable and the new gold (${input.metric} ${value?.toFixed(4)}${best ? ` beats v${best.version} at ${best.value.toFixed(4)}` : ", the first recorded"}).`
        : `${name} v${version} is stable; gold stays ${gold ? `v${gold.version}` : "unset"} (${input.metric} ${value === null ? "not recorded" : value.toFixed(4)}${best ? ` vs best v${best.version} at ${best.value.toFixed(4)}` : ""}).`;
      return { status: "success", summary, data };
    } catch (error) {
      return errorOutcome(error);
    }
  },
});
