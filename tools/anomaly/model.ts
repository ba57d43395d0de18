/**
 * The trained detector as one JSON-serialisable value: the forest, the calibrated threshold, the
 * feature options it was trained with and the training profile drift is measured against.
 */
import { AnomalyError } from "./anomaly-error.js";
import { buildFeatureProfile, type FeatureProfile } from "./drift.js";
import { extractFeatures, FEATURE_NAMES, resolveFeatureOptions, type FeatureOptions } from "./features.js";
import { float32AtLeast } from "./float32.js";
import { trainIsolationForest, type IsolationForest } from "./isolation-forest.js";
import { compileForest, scoreForest, type CompiledForest } from "./reference-scorer.js";

/** The format string every model of this shape carries; parseAnomalyModel accepts only it. */
export const ANOMALY_MODEL_FORMAT = "mlops-autopilot/isolation-forest@1";

/** How a detector is trained; every field has a default. */
export interface TrainOptions {
  /** Trees in the forest (default 100). */
  trees?: number;
  /** Points each tree is grown on, ψ (default 256, capped at the training points). */
  sampleSize?: number;
  /** The share of training points expected to be anomalous; sets the threshold (default 0.01, in [0, 0.5)). */
  contamination?: number;
  /** Seed of the PRNG that samples points and draws splits: the same seed and data give the same model (default 1). */
  seed?: number;
  /** Feature windows (defaults in DEFAULT_FEATURE_OPTIONS). */
  features?: Partial<FeatureOptions>;
}

/** The whole trained detector, JSON-serialisable (JSON.stringify, then parseAnomalyModel). */
export interface AnomalyModel {
  /** ANOMALY_MODEL_FORMAT. */
  format: string;
  /** The feature columns the forest reads, in order (FEATURE_NAMES at training time). */
  featureNames: string[];
  /** The windows the features were computed with; scoring must use the same. */
  features: FeatureOptions;
  /** A point is anomalous when its score is above this float32 value. */
  threshold: number;
  /** The contamination the threshold was calibrated for. */
  contamination: number;
  /** Points in the training series. */
  trainedPoints: number;
  /** The seed the forest was grown with. */
  seed: number;
  /** The training distribution of every feature, for the population stability index. */
  profile: FeatureProfile;
  /** The trees. */
  forest: IsolationForest;
}

/** Defaults of TrainOptions. */
export const DEFAULT_TRAIN_OPTIONS = Object.freeze({ trees: 100, sampleSize: 256, contamination: 0.01, seed: 1 });

/**
 * Trains a detector on a normal history: features, the forest, then the threshold, the
 * (1 - contamination) quantile (nearest rank) of the training points' reference scores, rounded up
 * to float32, so about a `contamination` share of the training points score above it.
 */
export function trainAnomalyModel(values: readonly number[], options: TrainOptions = {}): AnomalyModel {
  const features = resolveFeatureOptions(options.features);
  const { trees = DEFAULT_TRAIN_OPTIONS.trees, sampleSize = DEFAULT_TRAIN_OPTIONS.sampleSize, contamination = DEFAULT_TRAIN_OPTIONS.contamination, seed = DEFAULT_TRAIN_OPTIONS.seed } = options;
  checkOption("trees", trees, Number.isInteger(trees) && trees >= 1, "a positive integer");
  checkOption("sampleSize", sampleSize, Number.isInteger(sampleSize) && sampleSize >= 2, "an integer of at least 2");
  checkOption("contamination", contamination, contamination >= 0 && contamination < 0.5, "a number in [0, 0.5)");
  checkOption("seed", seed, Number.isInteger(seed), "an integer");
  const { rows, featureCount } = extractFeatures(values, features);
  if (values.length < 2) {
    throw new AnomalyError("invalid_series", `training needs at least 2 points, got ${values.length}`, { details: { length: values.length } });
  }
  const forest = trainIsolationForest(rows, featureCount, { trees, sampleSize, seed });
  const scores = scoreForest(compileForest(forest), rows).sort();
  const rank = Math.max(1, Math.ceil((1 - contamination) * scores.length));
  return {
    format: ANOMALY_MODEL_FORMAT,
    featureNames: [...FEATURE_NAMES],
    features,
    threshold: float32AtLeast(scores[rank - 1]!),
    contamination,
    trainedPoints: values.length,
    seed,
    profile: buildFeatureProfile(rows, FEATURE_NAMES),
    forest,
  };
}

const compiled = new WeakMap<IsolationForest, CompiledForest>();

/**
 * The reference score of each feature row (see scoreForest): plain TypeScript, the yardstick the
 * ONNX model must match within 1e-5. Treats the model as immutable (its compiled forest is cached).
 */
export function scoreReference(model: AnomalyModel, rows: Float32Array): Float64Array {
  let forest = compiled.get(model.forest);
  if (!forest) {
    forest = compileForest(model.forest);
    compiled.set(model.forest, forest);
  }
  return scoreForest(forest, rows);
}

function checkOption(option: string, value: number, ok: boolean, expected: string): void {
  if (!ok) throw new AnomalyError("invalid_options", `train option ${option} must be ${expected}, got ${value}`, { details: { option, value } });
}
