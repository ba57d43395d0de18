/** The operator's chat with the supervisor: the service over the chat graph, its approval requests, and running them once approved. */
export { composeChat } from "./compose.js";
export type { ChatParts } from "./compose.js";
export { createChatService, CONVERSATION_ID_PATTERN } from "./service.js";
export type { ChatService, ChatServiceDeps, ChatOperator } from "./service.js";
export { ChatError, isChatError } from "./events.js";
export type { ChatEvent } from "./events.js";
export { createRequestApprovals } from "./approvals.js";
export { runApprovedRequest } from "./requests.js";
