import type { AnyTool } from "../tool.js";
import { mlflowEvaluateCandidate } from "./evaluate-candidate.js";
import { mlflowGetModel, mlflowSetModelAlias } from "./model-tools.js";
import { mlflowRegisterCandidate } from "./register-candidate.js";

/** The MLflow tools: register and evaluate candidates, read versions, move aliases. */
export const mlflowTools: AnyTool[] = [mlflowRegisterCandidate, mlflowEvaluateCandidate, mlflowGetModel, mlflowSetModelAlias];
