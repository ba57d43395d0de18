/** The agents: their profiles, the runbook model and the model provider. */
export type { AgentProfile } from "./profile.js";
export { toolsFor } from "./profile.js";
export { metricsAnalyst } from "./metrics-analyst/index.js";
export { dataEngineer } from "./data-engineer/index.js";
export { mlEngineer } from "./ml-engineer/index.js";
export { devops } from "./devops/index.js";
export { ASSIGN_TASK, FINISH_CYCLE, AssignTaskInput, FinishCycleInput, supervisorTools } from "./supervisor/index.js";
// From its own file: the chat's model builds on the runbook, which imports the supervisor's tools.
export { CHAT_READ_TOOLS, CHAT_REQUEST_TOOLS, chatModels } from "./supervisor/chat.js";
export type { ChatModelProvider } from "./supervisor/chat.js";
export { RunbookChatModel, decide as runbookDecide, toolResults } from "./runbook/index.js";
export type { RunbookDecision, ToolResultView } from "./runbook/index.js";
export { runbookProvider, openAiProvider } from "./model.js";
export type { ModelProvider, OpenAiSettings, ToolSpec } from "./model.js";

import { metricsAnalyst } from "./metrics-analyst/index.js";
import { dataEngineer } from "./data-engineer/index.js";
import { mlEngineer } from "./ml-engineer/index.js";
import { devops } from "./devops/index.js";
import type { AgentProfile } from "./profile.js";

/** The specialist team, in loop order. */
export const TEAM: readonly AgentProfile[] = [metricsAnalyst, dataEngineer, mlEngineer, devops];
export { createParaphraser, parseRewrites } from "./paraphraser.js";
export type { Paraphraser } from "./paraphraser.js";
