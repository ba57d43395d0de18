import { createHash } from "node:crypto";
import { AutopilotError } from "../../core/index.js";
import { anomalyModelToOnnx, parseAnomalyModel, type AnomalyModel } from "../anomaly/index.js";
import type { MlflowClient } from "./client.js";

/** The MLflow experiment every detector training run is logged in. */
export const DETECTOR_EXPERIMENT = "autopilot/anomaly-detectors";
/** The alias of the detector version that serves (the monitor and detect_anomalies load it). */
export const DETECTOR_ALIAS = "champion";
/** Tag on every detector version, so the registry can tell detectors from serving models. */
export const DETECTOR_KIND_TAG = "autopilot.kind";

const READY_TIMEOUT_MS = 2 * 60_000;

/** The registered model holding the detectors of one series, e.g. `anomaly-search-ndcg_drop`. */
export function detectorModelName(series: string): string {
  const slug = series.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "");
  if (!slug) throw new AutopilotError("invalid_series", `series name ${JSON.stringify(series)} has no letters or digits to name a model after`);
  return `anomaly-${slug}`;
}

/** What is saved with a detector version. */
export interface SaveDetectorInput {
  series: string;
  model: AnomalyModel;
  /** Evaluation metrics (precision, recall, f1, ...) logged on the run and kept as version tags. */
  metrics: Record<string, number>;
  dataset?: { path: string; md5: string };
  /** The resolution of the training series in seconds; the detector scores series at this step. */
  stepSeconds?: number;
  cycleId: string | null;
  signal?: AbortSignal;
}

/** A saved detector version. */
export interface SavedDetector {
  name: string;
  version: string;
  runId: string;
  /** `<run artifact uri>/model`: model.json and model.onnx. */
  source: string;
  onnxSha256: string;
}

/**
 * Logs a trained detector as an MLflow run (params, metrics, the model as JSON and as ONNX) and
 * registers it as a new version of the series' registered model. No alias moves: promoting it is
 * `mlflow_set_model_alias`, a separate, gated decision.
 */
export async function saveDetector(mlflow: MlflowClient, input: SaveDetectorInput): Promise<SavedDetector> {
  const { signal, model } = input;
  const name = detectorModelName(input.series);
  const onnx = anomalyModelToOnnx(model);
  const onnxSha256 = sha256(onnx);
  const cycle = input.cycleId ?? "manual";
  const experimentId = await mlflow.getOrCreateExperiment(DETECTOR_EXPERIMENT, signal);
  const tags: Record<string, string> = { "autopilot.cycle_id": cycle, "autopilot.series": input.series, [DETECTOR_KIND_TAG]: "anomaly-detector" };
  if (input.dataset) Object.assign(tags, { "dvc.path": input.dataset.path, "dvc.md5": input.dataset.md5 });
  const run = await mlflow.createRun({ experimentId, runName: `${cycle}-${name}`, tags }, signal);
  const runId = run.info.run_id;
  try {
    const params = { trees: model.forest.roots.length, sample_size: model.forest.sampleSize, contamination: model.contamination, seed: model.seed, trained_points: model.trainedPoints, ...prefixed("feature_", model.features) };
    await mlflow.logBatch(runId, { params, metrics: { ...input.metrics, threshold: model.threshold } }, signal);
    await mlflow.uploadArtifact(run.info.artifact_uri, "model/model.json", JSON.stringify(model), "application/json", signal);
    await mlflow.uploadArtifact(run.info.artifact_uri, "model/model.onnx", onnx, "application/octet-stream", signal);
    await mlflow.updateRun(runId, { status: "FINISHED" }, signal);
  } catch (error) {
    // A run left RUNNING would look like training still in progress.
    await mlflow.updateRun(runId, { status: "FAILED" }).catch(() => undefined);
    throw error;
  }
  await mlflow.ensureRegisteredModel(name, signal);
  const source = `${run.info.artifact_uri.replace(/\/+$/, "")}/model`;
  const versionTags: Record<string, string> = { [DETECTOR_KIND_TAG]: "anomaly-detector", "autopilot.cycle_id": cycle, onnx_sha256: onnxSha256, ...stringValues(input.metrics) };
  if (input.dataset) versionTags.dvc_md5 = input.dataset.md5;
  if (input.stepSeconds) versionTags.step_seconds = String(input.stepSeconds);
  const created = await mlflow.createModelVersion({ name, source, runId, tags: versionTags }, signal);
  await mlflow.waitForModelVersionReady(name, created.version, { timeoutMs: READY_TIMEOUT_MS, signal });
  return { name, version: created.version, runId, source, onnxSha256 };
}

/** A detector version read back from the registry. */
export interface LoadedDetectorVersion {
  name: string;
  version: string;
  model: AnomalyModel;
  /** The ONNX bytes as registered (checked against the version's onnx_sha256 tag). */
  onnx: Uint8Array;
  /** The metrics recorded on the version (precision, recall, ...). */
  metrics: Record<string, number>;
  /** The resolution the detector was trained at (version tag step_seconds), if recorded. */
  stepSeconds: number | null;
}

/** Reads a detector version: its model JSON and ONNX artifact, checked against the recorded digest. */
export async function loadDetectorVersion(mlflow: MlflowClient, name: string, version: string, signal?: AbortSignal): Promise<LoadedDetectorVersion> {
  const mv = await mlflow.getModelVersion(name, version, signal);
  if (!mv) throw new AutopilotError("mlflow_version_missing", `mlflow: detector ${name} has no version ${version}`);
  const tags = mv.tags;
  const [json, onnx] = await Promise.all([mlflow.downloadArtifact(mv.source, "model.json", signal), mlflow.downloadArtifact(mv.source, "model.onnx", signal)]);
  let model: AnomalyModel;
  try {
    model = parseAnomalyModel(JSON.parse(new TextDecoder().decode(json)));
  } catch (error) {
    throw new AutopilotError("invalid_detector_artifact", `mlflow: ${name} v${version} model.json is not a detector model: ${(error as Error).message}`, { cause: error });
  }
  const digest = sha256(onnx);
  if (tags.onnx_sha256 && tags.onnx_sha256 !== digest) {
    throw new AutopilotError("invalid_detector_artifact", `mlflow: ${name} v${version} model.onnx does not match the digest recorded at registration (${tags.onnx_sha256.slice(0, 12)}…, got ${digest.slice(0, 12)}…)`);
  }
  const metrics = Object.fromEntries(Object.entries(tags).filter(([k, v]) => METRIC_TAGS.has(k) && Number.isFinite(Number(v))).map(([k, v]) => [k, Number(v)]));
  const step = Number(tags.step_seconds);
  return { name, version, model, onnx, metrics, stepSeconds: Number.isInteger(step) && step > 0 ? step : null };
}

const METRIC_TAGS = new Set(["precision", "recall", "f1", "nab_score", "flag_rate", "psi"]);

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function prefixed(prefix: string, record: object): Record<string, string | number> {
  return Object.fromEntries(Object.entries(record).filter((e): e is [string, string | number] => typeof e[1] === "number" || typeof e[1] === "string").map(([k, v]) => [`${prefix}${k}`, v]));
}

function stringValues(record: Record<string, number>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => METRIC_TAGS.has(k)).map(([k, v]) => [k, String(v)]));
}
