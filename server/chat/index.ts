/** The operator's chat with the supervisor: the service over the chat graph, its approval requests, and running them once approved. */
export { composeChat } from "./compose.js";
export { CONVERSATION_ID_PATTERN } from "./service.js";
export type { ChatService } from "./service.js";
export { isChatError } from "./events.js";
export type { ChatEvent } from "./events.js";
// Shared with the MCP server and the approvals: requests made outside a cycle open the same kind
// of approval, and run the same way once approved.
export { createRequestApprovals } from "./approvals.js";
export { runApprovedRequest } from "./requests.js";
