/** The autopilot's own toolset (cycles, reports, audit, approvals, cycle requests) and the client it runs on. */
export { autopilotTools } from "./toolset.js";
export { REQUESTABLE_SIGNALS } from "./request-cycle.js";
export { digestReport } from "./report-digest.js";
export type { AutopilotClient, CycleSummary, CycleStatusName, AuditRecord, PendingApproval, CycleRequestResult } from "./client.js";
