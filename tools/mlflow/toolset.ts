import type { AnyTool } from "../tool.js";
import { mlflowEvaluateCandidate } from "./evaluate-candidate.js";
import { mlflowGetModel, mlflowSetModelAlias } from "./model-tools.js";
import { mlflowListBaselines } from "./list-baselines.js";
import { mlflowRecordBaseline } from "./record-baseline.js";
import { mlflowRegisterCandidate } from "./register-candidate.js";

/** The MLflow tools: register and evaluate candidates, read versions, move aliases, record and list stable baselines. */
export const mlflowTools: AnyTool[] = [mlflowRegisterCandidate, mlflowEvaluateCandidate, mlflowGetModel, mlflowSetModelAlias, mlflowRecordBaseline, mlflowListBaselines];
