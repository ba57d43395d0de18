/** The deterministic runbook model and its per-agent decisions. */
export { RunbookChatModel, decide, toolResults } from "./runbook-model.js";
export type { RunbookDecision, ToolResultView } from "./decision.js";
