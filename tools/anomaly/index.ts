/** The anomaly detector: metric features, an Isolation Forest exported to ONNX, ONNX Runtime scoring and drift (PSI). */
export { AnomalyError } from "./anomaly-error.js";
export { FEATURE_NAMES, DEFAULT_FEATURE_OPTIONS, extractFeatures } from "./features.js";
export type { FeatureOptions, FeatureRows } from "./features.js";
export type { IsolationForest } from "./isolation-forest.js";
export { ANOMALY_MODEL_FORMAT, DEFAULT_TRAIN_OPTIONS, trainAnomalyModel, scoreReference } from "./model.js";
export type { AnomalyModel, TrainOptions } from "./model.js";
export { parseAnomalyModel } from "./model-schema.js";
export { anomalyModelToOnnx, onnxMetadata, ONNX_INPUT, ONNX_SCORE_OUTPUT, ONNX_FLAG_OUTPUT } from "./onnx-model.js";
export { createOnnxScorer } from "./onnx-scorer.js";
export type { AnomalyScorer, OnnxScorerOptions } from "./onnx-scorer.js";
export { AnomalyDetector } from "./detector.js";
export type { Detection } from "./detector.js";
export { populationStabilityIndex, PSI_EPSILON } from "./drift.js";
export type { FeatureProfile, FeatureBins } from "./drift.js";
export { syntheticMetricSeries } from "./synthetic.js";
export type { SyntheticSeriesOptions } from "./synthetic.js";
