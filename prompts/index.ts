/** Prompt templates: typed functions, versioned, shared by agents and graphs. */
export { renderBrief, parseBrief } from "./brief.js";
export { UNTRUSTED_DATA_RULE, POLICY_RULE, FINISH_RULE, formatNow } from "./partials.js";
export { specialistPrompt, taskMessage, SPECIALIST_PROMPT_VERSION } from "./specialist.js";
export type { SpecialistIdentity, TaskBriefContext } from "./specialist.js";
export { supervisorPrompt, supervisorMessage, SUPERVISOR_PROMPT_VERSION } from "./supervisor.js";
export type { TeamMember, SupervisorBriefContext } from "./supervisor.js";
export { paraphrasePrompt, paraphraseMessage, PARAPHRASE_PROMPT_VERSION } from "./paraphrase.js";
export { chatPrompt, CHAT_PROMPT_VERSION } from "./chat.js";
export type { ChatBriefContext } from "./chat.js";
export { investigateAlertPrompt, explainCyclePrompt, MCP_PROMPT_VERSION } from "./mcp.js";
export type { InvestigateAlertContext } from "./mcp.js";
