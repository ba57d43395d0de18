import type { MlflowClient } from "./client.js";
import type { MlflowModelVersion } from "./schemas.js";

/** Tag marking a version whose deploy held after its watch: a rollback target. */
export const STABLE_TAG = "autopilot.stable";
/** Tag holding when a version was marked stable (ISO time). */
export const STABLE_SINCE_TAG = "autopilot.stable_since";
/** The alias of the best version ever recorded. */
export const GOLD_ALIAS = "gold";
/** The quality metrics gold is judged on. */
export const BASELINE_METRICS = ["ndcg_at_10", "recall_at_20"] as const;

/** The offline metric a version's run logged for `metric` (evaluation metrics are `eval_<metric>`); null when none. */
export async function recordedMetric(mlflow: MlflowClient, runId: string | null | undefined, metric: string, signal?: AbortSignal): Promise<number | null> {
  if (!runId) return null;
  const run = await mlflow.getRun(runId, signal);
  const value = run.metrics[`eval_${metric}`];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** The versions of `name` marked stable, newest version first. */
export async function stableVersions(mlflow: MlflowClient, name: string, signal?: AbortSignal): Promise<MlflowModelVersion[]> {
  const filter = `name='${name.replace(/'/g, "\\'")}' and tags.\`${STABLE_TAG}\`='true'`;
  const found = await mlflow.searchModelVersions(filter, signal);
  return found.filter((v) => v.tags[STABLE_TAG] === "true").sort((a, b) => Number(b.version) - Number(a.version));
}
