import path from "node:path";
import { z } from "zod";
import type { CandidateFinding } from "../../core/index.js";
import { trainAnomalyModel } from "../anomaly/index.js";
import { errorOutcome } from "../outcome.js";
import { serviceField, signalField } from "../prometheus/tool-support.js";
import { defineTool, type ToolOutcome } from "../tool.js";
import { detectorMetrics, evaluateDetector, readDetectorDataset } from "./detector-dataset.js";
import { saveDetector } from "./detector-store.js";

/**
 * `mlflow_train_detector`: trains a series' anomaly detector (an Isolation Forest) on a dataset of
 * dvc_snapshot_series, measures it on the dataset's labelled held-out part, logs it to MLflow as
 * JSON and ONNX, registers it and points the `candidate` alias at it.
 */
export const trainDetectorTool = defineTool({
  name: "mlflow_train_detector",
  system: "mlflow",
  title: "Train an anomaly detector",
  description:
    "Trains an Isolation Forest on train.csv of a detector dataset (dvc_snapshot_series), calibrates its threshold to `contamination`, scores holdout.csv in ONNX Runtime " +
    "against labels.json (precision, recall, F1), logs params, metrics, model.json and model.onnx as an MLflow run, registers the run's model as a new version of " +
    "anomaly-<service>-<series_signal> and points its alias `candidate` at it. The champion alias does not move.",
  input: z.object({
    series_signal: signalField.describe("The contract signal whose series the detector watches"),
    service: serviceField,
    dataset_path: z.string().min(1).describe("abs_path of the dataset dvc_snapshot_series wrote"),
    dataset_md5: z.string().regex(/^[0-9a-f]{32}(\.dir)?$/).describe("md5 of that dataset version"),
    contamination: z.number().min(0.001).max(0.2).default(0.01).describe("Share of training points expected to be anomalous; sets the threshold"),
    trees: z.int().min(10).max(500).default(100).describe("Trees in the forest"),
    seed: z.int().default(1).describe("Seed of the forest"),
  }),
  flags: { readOnly: false, destructive: false, idempotent: false, openWorld: true },
  finding: "candidate",
  timeoutMs: 10 * 60_000,
  async run(args, ctx): Promise<ToolOutcome<CandidateFinding>> {
    const series = `${args.service}:${args.series_signal}`;
    try {
      const workspace = ctx.clients.dvc.root;
      if (!path.resolve(args.dataset_path).startsWith(`${workspace}${path.sep}`)) {
        const message = `dataset_path ${args.dataset_path} is outside the DVC workspace ${workspace}`;
        return { status: "error", summary: message, error: { code: "invalid_input", message, retryable: false } };
      }
      const dataset = await readDetectorDataset(args.dataset_path);
      const model = trainAnomalyModel(dataset.train, { contamination: args.contamination, trees: args.trees, seed: args.seed });
      const scores = await evaluateDetector(model, dataset);
      const saved = await saveDetector(ctx.clients.mlflow, {
        series,
        model,
        metrics: detectorMetrics(scores),
        dataset: { path: args.dataset_path, md5: args.dataset_md5 },
        stepSeconds: dataset.stepSeconds,
        cycleId: ctx.cycleId,
        signal: ctx.signal,
      });
      await ctx.clients.mlflow.setAlias(saved.name, "candidate", saved.version, ctx.signal);
      const finding: CandidateFinding = {
        model_name: saved.name,
        version: saved.version,
        run_id: saved.runId,
        h2o_model_id: null,
        strategy: "retrain_detector",
        dataset_md5: args.dataset_md5,
        source: saved.source,
      };
      const measured = `precision ${scores.precision.toFixed(3)}, recall ${scores.recall.toFixed(3)} on ${dataset.windows.length} labelled windows`;
      return { status: "success", summary: `Trained ${saved.name} v${saved.version} on ${dataset.train.length} points (${measured}); alias candidate`, data: finding };
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      return errorOutcome(error);
    }
  },
});
