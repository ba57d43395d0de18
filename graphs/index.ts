/** The cycle graph (state, pure routing, nodes, the report) and the chat graph. */
export { createCycleGraph } from "./cycle-graph.js";
export type { CycleGraph } from "./cycle-graph.js";
export { CycleState, NO_USAGE } from "./state.js";
export type { CycleStateType, CycleUpdate, CycleTrigger, ActionRecord, FindingRecord, StepRecord, ApprovalRecord } from "./state.js";
export { allowedMoves, routeAfterAgent, routeAfterSupervisor, routeAfterTools, latestFinding, isDone, DEFAULT_LIMITS } from "./routes.js";
export type { CycleLimits } from "./routes.js";
export type { CycleGraphDeps, ApprovalRequestsPort, ArtifactsPort } from "./deps.js";
export { buildReport, CycleReportSchema } from "./report.js";
export { latestFindings } from "./brief.js";
export type { CycleReport } from "./report.js";
export type { ApprovalAnswer, ApprovalInterrupt } from "./nodes/tools.js";
export { createChatGraph } from "./chat-graph.js";
export type { ChatGraph } from "./chat-graph.js";
export type { ChatStateType, ChatAction } from "./chat-state.js";
export { DEFAULT_CHAT_LIMITS } from "./chat-routes.js";
export type { ChatLimits } from "./chat-routes.js";
export type { ChatGraphDeps, ChatApprovalsPort, ChatStreamEvent } from "./chat-deps.js";
