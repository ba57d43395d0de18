import type { AnyTool } from "../tool.js";
import { getCycleAuditTool, getCycleTool, listCyclesTool } from "./cycles.js";
import { listApprovalsTool } from "./approvals.js";
import { requestCycleTool } from "./request-cycle.js";

/** The autopilot's own tools: read its cycles, reports, audit trail and approvals, and request a cycle. */
export const autopilotTools: AnyTool[] = [listCyclesTool, getCycleTool, getCycleAuditTool, listApprovalsTool, requestCycleTool];
