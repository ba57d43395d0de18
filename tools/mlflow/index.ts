/** The MLflow client (tracking, proxied artifacts, registry) and its tools. */
export { MlflowClient, mlflowErrorMessage, mlflowErrorCode } from "./client.js";
export type { MlflowClientOptions, MlflowWaitOptions } from "./client.js";
export type { MlflowRun, MlflowRunInfo, MlflowModelVersion, MlflowRegisteredModel, MlflowExperiment } from "./schemas.js";
export { applyGate } from "./gate.js";
export type { GateInputs, GateVerdict } from "./gate.js";
export { mlflowTools } from "./toolset.js";
export { mlflowRegisterCandidate } from "./register-candidate.js";
export { mlflowEvaluateCandidate } from "./evaluate-candidate.js";
export { mlflowGetModel, mlflowSetModelAlias } from "./model-tools.js";
export type { ModelVersionView, SetAliasResult } from "./model-tools.js";
export { mlflowRecordBaseline } from "./record-baseline.js";
export { mlflowListBaselines } from "./list-baselines.js";
export type { BaselineList, BaselineView } from "./list-baselines.js";
export { STABLE_TAG, GOLD_ALIAS } from "./baseline.js";
export { ServedDetectors } from "./served-detectors.js";
export type { ServedDetector } from "./served-detectors.js";
export { DETECTOR_ALIAS, DETECTOR_EXPERIMENT, detectorModelName, saveDetector, loadDetectorVersion } from "./detector-store.js";
export type { SavedDetector, SaveDetectorInput, LoadedDetectorVersion } from "./detector-store.js";
