import type { AnyTool } from "../tool.js";
import { mlflowEvaluateCandidate } from "./evaluate-candidate.js";
import { mlflowGetModel, mlflowSetModelAlias } from "./model-tools.js";
import { mlflowListBaselines } from "./list-baselines.js";
import { mlflowRecordBaseline } from "./record-baseline.js";
import { mlflowRegisterCandidate } from "./register-candidate.js";
import { trainDetectorTool } from "./train-detector.js";
import { evaluateDetectorTool } from "./evaluate-detector.js";
import { promoteDetectorTool } from "./promote-detector.js";

/**
 * The MLflow tools: register and evaluate candidates, read versions, move aliases, record and list
 * stable baselines; and train, evaluate and promote the anomaly detectors of the series.
 */
export const mlflowTools: AnyTool[] = [
  mlflowRegisterCandidate,
  mlflowEvaluateCandidate,
  mlflowGetModel,
  mlflowSetModelAlias,
  mlflowRecordBaseline,
  mlflowListBaselines,
  trainDetectorTool,
  evaluateDetectorTool,
  promoteDetectorTool,
];
