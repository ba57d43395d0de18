/** Tool definitions, their shared shape, and the HTTP base every client builds on. */
export { defineTool, renderToolOutcome, DEFAULT_OUTPUT_CAP, TOOL_SYSTEMS } from "./tool.js";
export type { ToolDefinition, AnyTool, ToolContext, ToolOutcome, ToolFlags, ToolSystem, ToolErrorInfo } from "./tool.js";
export { createHttpClient, UpstreamError, isUpstreamError } from "./http.js";
export type { HttpClient, HttpClientOptions, HttpRequest } from "./http.js";
export { errorOutcome } from "./outcome.js";
export type { ToolClients } from "./clients.js";
