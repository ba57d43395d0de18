import type { AnyTool } from "../tool.js";
import { compareVariantsTool } from "./compare-variants.js";
import { detectAnomaliesTool } from "./detect-anomalies.js";
import { checkDetectorDriftTool } from "./check-detector-drift.js";
import { getSignalTool } from "./get-signal.js";
import { queryBreakdownTool } from "./query-breakdown.js";
import { queryInstantTool, queryRangeTool } from "./query-tools.js";
import { watchSignalTool } from "./watch-signal.js";

/** The Prometheus tools, in the order the metrics-analyst uses them along the loop. */
export const prometheusTools: AnyTool[] = [
  getSignalTool,
  queryBreakdownTool,
  queryInstantTool,
  queryRangeTool,
  detectAnomaliesTool,
  checkDetectorDriftTool,
  compareVariantsTool,
  watchSignalTool,
];
