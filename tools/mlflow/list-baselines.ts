import { z } from "zod";
import { defineTool, type ToolOutcome } from "../tool.js";
import { errorOutcome } from "../outcome.js";
import { BASELINE_METRICS, GOLD_ALIAS, recordedMetric, STABLE_SINCE_TAG, stableVersions } from "./baseline.js";
import { ModelNameInput } from "./inputs.js";

/** At most this many stable versions are listed, newest first. */
export const BASELINES_LISTED = 20;

/** One stable version as `mlflow_list_baselines` shows it. */
export interface BaselineView {
  version: string;
  stable_since: string | null;
  value: number | null;
  aliases: string[];
  gold: boolean;
}

/** What `mlflow_list_baselines` returns. */
export interface BaselineList {
  model_name: string;
  metric: string;
  gold: string | null;
  versions: BaselineView[];
  omitted: number;
}

/** `mlflow_list_baselines`: the versions marked stable (the rollback targets) and which one is gold. */
export const mlflowListBaselines = defineTool({
  name: "mlflow_list_baselines",
  system: "mlflow",
  title: "List stable baselines",
  description:
    `Lists the versions of a registered model marked stable (their deploy held after the watch; any of them is a rollback target), newest first, ` +
    `at most ${BASELINES_LISTED}, with their recorded offline metric, and which version holds the '${GOLD_ALIAS}' alias (the best quality recorded).`,
  input: z.object({
    model_name: ModelNameInput.describe("Registered model name"),
    metric: z.enum(BASELINE_METRICS).default("ndcg_at_10").describe("The quality metric to show"),
  }),
  flags: { readOnly: true, destructive: false, idempotent: true, openWorld: true },
  async run({ model_name, metric }, ctx): Promise<ToolOutcome<BaselineList>> {
    const { mlflow } = ctx.clients;
    try {
      const [stable, gold] = await Promise.all([stableVersions(mlflow, model_name, ctx.signal), mlflow.getModelVersionByAlias(model_name, GOLD_ALIAS, ctx.signal)]);
      const shown = stable.slice(0, BASELINES_LISTED);
      const versions: BaselineView[] = [];
      for (const v of shown) {
        versions.push({
          version: v.version,
          stable_since: v.tags[STABLE_SINCE_TAG] ?? null,
          value: await recordedMetric(mlflow, v.run_id, metric, ctx.signal),
          aliases: v.aliases,
          gold: v.version === gold?.version,
        });
      }
      const data: BaselineList = { model_name, metric, gold: gold?.version ?? null, versions, omitted: stable.length - shown.length };
      if (versions.length === 0) return { status: "no_data", summary: `${model_name} has no version marked stable yet${gold ? `; gold is v${gold.version}` : ""}`, data };
      const list = versions.map((v) => `v${v.version}${v.gold ? " (gold)" : ""} ${v.value === null ? "n/a" : v.value.toFixed(4)}`).join(", ");
      return { status: "success", summary: `${model_name} stable versions by ${metric}: ${list}${data.omitted ? ` and ${data.omitted} older` : ""}.`, data };
    } catch (error) {
      return errorOutcome(error);
    }
  },
});
