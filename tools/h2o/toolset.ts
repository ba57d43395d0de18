import { z } from "zod";
import { defineTool, type AnyTool, type ToolOutcome } from "../tool.js";
import { errorOutcome } from "../outcome.js";
import type { H2oParam } from "./form.js";
import { modelComplexity } from "./model.js";

/** Columns of the dataset layout that are ids or text, never features. */
export const NON_FEATURE_COLUMNS = ["query_id", "query", "doc_id", "source"] as const;

const ALGOS = ["gbm", "drf", "xgboost", "glm"] as const;
const TUNABLE = ["ntrees", "max_depth", "learn_rate", "sample_rate", "seed"] as const;
type Tunable = (typeof TUNABLE)[number];

/** Which of the tunable parameters each algorithm accepts (H2O rejects unknown ones). */
const ACCEPTS: Record<(typeof ALGOS)[number], readonly Tunable[]> = {
  gbm: TUNABLE,
  xgboost: TUNABLE,
  drf: ["ntrees", "max_depth", "sample_rate", "seed"],
  glm: ["seed"],
};

const TIMEOUT_MS = 30 * 60_000;
/** Share of the tool's timeout the H2O jobs may wait for, leaving time to read the model. */
const JOBS_BUDGET_MS = TIMEOUT_MS - 60_000;

const trainInput = {
  dataset_path: z
    .string()
    .regex(/^\//, "must be an absolute path")
    .describe("Absolute path of the dataset directory (as the H2O server sees it) holding train.csv"),
  algo: z.enum(ALGOS).default("gbm").describe("H2O algorithm: gbm (default), drf, xgboost or glm"),
  params: z
    .object({
      ntrees: z.number().int().min(1).max(5000).optional().describe("Number of trees (gbm, drf, xgboost)"),
      max_depth: z.number().int().min(0).max(100).optional().describe("Maximum tree depth (gbm, drf, xgboost)"),
      learn_rate: z.number().gt(0).max(1).optional().describe("Learning rate (gbm, xgboost)"),
      sample_rate: z.number().gt(0).max(1).optional().describe("Row sample rate per tree (gbm, drf, xgboost)"),
      seed: z.number().int().optional().describe("Random seed, for reproducible training"),
    })
    .default({})
    .describe("Training parameters; omitted ones take H2O's defaults, ones the algo does not accept are dropped"),
  model_id: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .max(200)
    .optional()
    .describe("Id of the model in H2O; H2O generates one when omitted"),
  response_column: z.string().min(1).default("label").describe("Column to predict (default label, graded relevance 0-3)"),
};

/** What h2o_train_model returns. */
export interface TrainModelResult {
  h2o_model_id: string;
  algo: string;
  /** The actual values H2O used for the tunable parameters the algo takes. */
  params: Record<string, unknown>;
  training_metrics: Record<string, number>;
  model_summary: Record<string, number | string | null>;
  /** number_of_trees * max_depth: the proxy for serving cost and latency (null without trees). */
  complexity: number | null;
  train_frame: string;
  duration_ms: number;
}

/** Trains a reranker in H2O on a dataset's train.csv. */
export const h2oTrainModel = defineTool({
  name: "h2o_train_model",
  system: "h2o",
  title: "Train a model in H2O",
  description:
    "Imports <dataset_path>/train.csv into H2O, parses it, trains a model (gbm by default) with the given parameters, " +
    "waits for the training job and returns the H2O model id, the actual parameters, the training metrics, the model summary " +
    "and `complexity` = number_of_trees * max_depth (null for glm), the proxy the evaluation uses for serving cost and latency. " +
    `The columns ${NON_FEATURE_COLUMNS.join(", ")} are ignored. The model is not registered: call mlflow_register_candidate next.`,
  input: z.object(trainInput),
  flags: { readOnly: false, destructive: false, idempotent: false, openWorld: true },
  timeoutMs: TIMEOUT_MS,
  async run(input, ctx): Promise<ToolOutcome<TrainModelResult>> {
    const h2o = ctx.clients.h2o;
    const started = ctx.clock.now().getTime();
    const accepted = ACCEPTS[input.algo];
    const dropped = TUNABLE.filter((p) => input.params[p] !== undefined && !accepted.includes(p));
    try {
      const trainFrame = frameName(input.dataset_path, started);
      const wait = () => ({ timeoutMs: Math.max(0, started + JOBS_BUDGET_MS - ctx.clock.now().getTime()), signal: ctx.signal });
      await h2o.importAndParse(`${input.dataset_path.replace(/\/+$/, "")}/train.csv`, trainFrame, wait());
      const params: Record<string, H2oParam> = {
        training_frame: trainFrame,
        response_column: input.response_column,
        ignored_columns: NON_FEATURE_COLUMNS.filter((c) => c !== input.response_column),
        model_id: input.model_id,
      };
      for (const p of accepted) params[p] = input.params[p];
      const { jobKey, modelId } = await h2o.buildModel(input.algo, params, { signal: ctx.signal });
      await h2o.waitForJob(jobKey, wait());
      const model = await h2o.getModel(modelId, { signal: ctx.signal });
      const actual = Object.fromEntries(accepted.filter((p) => p in model.parameters).map((p) => [p, model.parameters[p]]));
      const complexity = modelComplexity(model);
      const data: TrainModelResult = {
        h2o_model_id: model.model_id,
        algo: model.algo,
        params: actual,
        training_metrics: model.training_metrics,
        model_summary: model.model_summary,
        complexity,
        train_frame: trainFrame,
        duration_ms: ctx.clock.now().getTime() - started,
      };
      const rmse = model.training_metrics.RMSE;
      const note = dropped.length ? ` (${input.algo} does not take ${dropped.join(", ")}; dropped)` : "";
      return {
        status: "success",
        summary:
          `Trained ${model.algo} model ${model.model_id}` +
          (rmse !== undefined ? `, training RMSE ${rmse.toFixed(4)}` : "") +
          (complexity !== null ? `, complexity ${complexity}` : "") +
          note,
        data,
      };
    } catch (error) {
      return errorOutcome(error);
    }
  },
});

/** The H2O tools. */
export const h2oTools: AnyTool[] = [h2oTrainModel];

function frameName(datasetPath: string, at: number): string {
  const base = datasetPath.replace(/\/+$/, "").split("/").pop() || "dataset";
  return `train_${base.replace(/[^A-Za-z0-9_.-]/g, "_")}_${at}.hex`;
}
