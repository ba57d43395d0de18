import type { World, WorldModel } from "../world/world.js";
import { scoreFrame } from "./calibration.js";
import { frameKey, meta, numberValues, numericFrame, textValues, type Frame } from "./frame.js";
import { H2oError, jobJson, regressionMetrics, twoDimTable } from "./schemas.js";
import { parseH2oList, type H2oStore } from "./store.js";

/** A trained H2O model and the world model behind it. */
export interface H2oModel {
  key: string;
  algo: string;
  world: WorldModel;
  trainingFrame: string | null;
  responseColumn: string;
  features: { name: string; type: string; domain: string[] | null }[];
  ntrees: number;
  maxDepth: number;
  seed: number;
  startTime: number;
  endTime: number;
  trainingMetrics: ReturnType<typeof regressionMetrics>;
}

/** The algorithms the sandbox builds, with H2O's default ntrees and max_depth. */
export const ALGOS: Record<string, { fullName: string; ntrees: number; maxDepth: number }> = {
  gbm: { fullName: "Gradient Boosting Machine", ntrees: 50, maxDepth: 5 },
  drf: { fullName: "Distributed Random Forest", ntrees: 50, maxDepth: 20 },
  xgboost: { fullName: "XGBoost", ntrees: 50, maxDepth: 6 },
  glm: { fullName: "Generalized Linear Modeling", ntrees: 0, maxDepth: 0 },
};

/**
 * Validates a model build like H2O (412 with field messages) and starts its job. The new model's
 * topics come from the training frame's rows (topic, source=augmented); its complexity from
 * ntrees * max_depth. The model exists once the job reports DONE; with `training.fails` it fails.
 */
export function startModelBuild(store: H2oStore, world: World, algo: string, params: Record<string, string>, modelCount: number) {
  const defaults = ALGOS[algo]!;
  const modelId = params.model_id || `${algo.toUpperCase()}_model_sandbox_${world.startMs}_${modelCount}`;
  // Like H2O, every invalid parameter is reported at once (error_count), not only the first.
  const messages: { field: string; message: string }[] = [];
  const reject = (field: string, message: string) => void messages.push({ field, message });
  const rejected = () => new H2oError(412, messages[0]!.message, { algo, modelId, messages, parameters: params });
  if (!params.training_frame) {
    reject("training_frame", "Missing training frame");
    throw rejected();
  }
  const frame = store.frame(unquote(params.training_frame), "training_frame");
  const response = params.response_column ? unquote(params.response_column) : "";
  if (!response) reject("response_column", "Response column parameter not set.");
  else if (!frame.columns.some((c) => c.label === response)) reject("response_column", `Response column '${response}' not found in the training frame`);
  const ntrees = integer(params.ntrees, defaults.ntrees, "ntrees", reject);
  const maxDepth = integer(params.max_depth, defaults.maxDepth, "max_depth", reject);
  if (messages.length > 0) throw rejected();
  const ignored = new Set(parseH2oList(params.ignored_columns));
  const features = frame.columns
    .filter((c) => c.label !== response && !ignored.has(c.label) && c.type !== "string")
    .map((c) => ({ name: c.label, type: c.type === "enum" ? "Enum" : "Numeric", domain: c.domain }));
  const augmentedRows = countAugmented(frame);
  const startTime = world.now();
  const outcome = world.scenario.training.fails
    ? { status: "FAILED" as const, exception: `java.lang.RuntimeException: ${algo.toUpperCase()} training of ${modelId} failed: the cluster ran out of memory` }
    : { status: "DONE" as const };
  const job = store.startJob(`${algo.toUpperCase()}`, modelId, "Key<Model>", outcome, () => {
    const model = world.addTrainedModel({ key: modelId, algo, ntrees, maxDepth, augmentedRows, trainingFrame: frame.key });
    const labels = (numberValues(frame, response) ?? []).map((v) => (Number.isFinite(v) ? v : 0));
    const { scores } = scoreFrame(frame, world.seed, (topic) => topicQuality(world, model, topic));
    store.models.set(modelId, {
      key: modelId,
      algo,
      world: model,
      trainingFrame: frame.key,
      responseColumn: response,
      features,
      ntrees,
      maxDepth,
      seed: Number(params.seed ?? -1),
      startTime,
      endTime: world.now(),
      trainingMetrics: regressionMetrics(modelId, frame.key, labels, scores, world.now()),
    });
  });
  return {
    __meta: meta(`${algo.toUpperCase()}V3`, "ModelBuilder"),
    algo,
    algo_full_name: defaults.fullName,
    can_build: ["Regression", "Binomial", "Multinomial"],
    job: jobJson(job.state),
    messages: [],
    error_count: 0,
    parameters: params,
  };
}

/** Scores a frame with a model into a new predictions frame (`predict`), and its regression metrics. */
export function predict(store: H2oStore, world: World, modelKey: string, frameKeyName: string, destination: string | undefined, suffix: string) {
  const model = store.model(modelKey, "model");
  const frame = store.frame(frameKeyName, "frame");
  const { scores } = scoreFrame(frame, world.seed, (topic) => topicQuality(world, model.world, topic));
  const dest = destination || `predictions_${suffix}_${model.key}_on_${frame.key}`;
  store.frames.set(dest, numericFrame(dest, { predict: scores }));
  const labels = numberValues(frame, model.responseColumn);
  const metrics = labels ? [regressionMetrics(model.key, frame.key, labels.map((v) => (Number.isFinite(v) ? v : 0)), scores, world.now())] : [];
  return {
    __meta: meta("ModelMetricsListSchemaV3", "ModelMetricsList"),
    model: modelKeyJson(model.key),
    frame: frameKey(frame.key),
    predictions_frame: frameKey(dest),
    model_metrics: metrics,
  };
}

/** The world quality of a model on a frame's topic; rows without a known topic get its mean quality. */
function topicQuality(world: World, model: WorldModel, topic: string): number {
  const now = world.now();
  if (world.scenario.topics.includes(topic)) return world.topicNdcg(model, topic, now);
  const all = world.scenario.topics.map((t) => world.topicNdcg(model, t, now));
  return all.reduce((a, b) => a + b, 0) / all.length;
}

/** ModelsV3 JSON of one model. */
export function modelJson(model: H2oModel) {
  const treeSummary = twoDimTable(
    "Model Summary",
    ["", "number_of_trees", "number_of_internal_trees", "model_size_in_bytes", "min_depth", "max_depth", "mean_depth", "min_leaves", "max_leaves", "mean_leaves"].map((name, i) => ({
      name,
      type: i === 0 ? "string" : i === 6 || i === 9 ? "double" : "long",
      format: i === 0 ? "%s" : "%d",
    })),
    [["", model.ntrees, model.ntrees, model.ntrees * 2 ** Math.min(model.maxDepth, 10) * 4, model.maxDepth, model.maxDepth, model.maxDepth, model.maxDepth + 1, 2 ** Math.min(model.maxDepth, 10), model.maxDepth * 1.5]],
  );
  const glmSummary = twoDimTable(
    "GLM Model",
    ["", "family", "link", "number_of_predictors_total", "number_of_active_predictors", "number_of_iterations", "training_frame"].map((name, i) => ({ name, type: i >= 3 && i <= 5 ? "int" : "string", format: "%s" })),
    [["", "gaussian", "identity", model.features.length, model.features.length, 3, model.trainingFrame ?? ""]],
  );
  const parameters = [
    ["model_id", "Key<Model>", model.key],
    ["training_frame", "Key<Frame>", model.trainingFrame],
    ["response_column", "VecSpecifier", model.responseColumn],
    ["ntrees", "int", model.ntrees],
    ["max_depth", "int", model.maxDepth],
    ["seed", "long", model.seed],
  ].map(([name, type, value]) => ({ __meta: meta("ModelParameterSchemaV3", "Iced"), name, label: name, type, default_value: null, actual_value: value, input_value: value, level: "critical", values: [], is_member_of_frames: [], is_mutually_exclusive_with: [], gridable: true }));
  return {
    __meta: meta(`${model.algo.toUpperCase()}ModelV3`, `${model.algo.toUpperCase()}Model`),
    model_id: modelKeyJson(model.key),
    algo: model.algo,
    algo_full_name: ALGOS[model.algo]?.fullName ?? model.algo,
    response_column_name: model.responseColumn,
    data_frame: model.trainingFrame ? frameKey(model.trainingFrame) : null,
    timestamp: model.endTime,
    have_pojo: true,
    have_mojo: true,
    parameters,
    output: {
      __meta: meta(`${model.algo.toUpperCase()}ModelOutputV3`, `${model.algo.toUpperCase()}Output`),
      model_category: "Regression",
      names: [...model.features.map((f) => f.name), model.responseColumn],
      original_names: null,
      column_types: [...model.features.map((f) => f.type), "Numeric"],
      domains: [...model.features.map((f) => f.domain), null],
      training_metrics: model.trainingMetrics,
      validation_metrics: null,
      cross_validation_metrics: null,
      model_summary: model.algo === "glm" ? glmSummary : treeSummary,
      scoring_history: twoDimTable("Scoring History", [{ name: "timestamp", type: "string", format: "%s" }, { name: "training_rmse", type: "double", format: "%.5f" }], [[new Date(model.endTime).toISOString(), model.trainingMetrics.RMSE]]),
      status: "DONE",
      start_time: model.startTime,
      end_time: model.endTime,
      run_time: Math.max(1, model.endTime - model.startTime),
    },
    compatible_frames: null,
    checksum: 0,
  };
}

/** The bytes `GET /3/Models/{id}/mojo` returns: a zip header followed by the model's description. */
export function mojoBytes(model: H2oModel): Uint8Array<ArrayBuffer> {
  const body = JSON.stringify({ algo: model.algo, key: model.key, ntrees: model.ntrees, max_depth: model.maxDepth, features: model.features.map((f) => f.name) });
  return new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new TextEncoder().encode(body)]);
}

/** A model key object. */
export function modelKeyJson(name: string) {
  return { __meta: meta("ModelKeyV3", "Key<Model>"), name, type: "Key<Model>", URL: `/3/Models/${name}` };
}

/** Rows with source=augmented per topic. */
export function countAugmented(frame: Frame): Record<string, number> {
  const topics = textValues(frame, "topic");
  const sources = textValues(frame, "source");
  const counts: Record<string, number> = {};
  if (!topics || !sources) return counts;
  topics.forEach((topic, i) => {
    if (sources[i] === "augmented") counts[topic] = (counts[topic] ?? 0) + 1;
  });
  return counts;
}

/** A positive integer parameter, or `fallback` when it is absent or (after `reject`) invalid. */
function integer(value: string | undefined, fallback: number, field: string, reject: (field: string, message: string) => void): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (Number.isInteger(n) && n >= 1) return n;
  reject(field, `Parameter '${field}' must be a positive integer, got '${value}'`);
  return fallback;
}

function unquote(text: string): string {
  return /^(["']).*\1$/.test(text) ? text.slice(1, -1) : text;
}
