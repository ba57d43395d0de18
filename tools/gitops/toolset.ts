import type { AnyTool } from "../tool.js";
import { writeValues } from "./write-values.js";
import { getValues } from "./get-values.js";
import { checkChange } from "./check-change.js";
import { restoreValues } from "./restore-values.js";

export type { WriteValuesData } from "./write-values.js";

/** The GitOps tools: read an app's Helm values, gate a capacity change, write or restore values as commits. */
export const gitopsTools: AnyTool[] = [getValues, checkChange, writeValues, restoreValues];
