/** The autopilot's own toolset (cycles, reports, audit, approvals, cycle requests) and the client it runs on. */
export { autopilotTools } from "./toolset.js";
export { REQUESTABLE_SIGNALS } from "./request-cycle.js";
export { digestReport } from "./report-digest.js";
export type { ReportDigest, DigestStep, DigestAction } from "./report-digest.js";
export type { CycleList, CycleDetail, AuditPage, AuditView } from "./cycles.js";
export type { ApprovalList } from "./approvals.js";
export type { AutopilotClient, CycleSummary, CycleQuery, CycleStatusName, AuditRecord, PendingApproval, CycleRequestResult } from "./client.js";
