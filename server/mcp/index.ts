/** The MCP server: the agents' tools, cycle reports, policies and prompts for external assistants, behind the policy gate. */
export { createMcpServer, toolAnnotations, toolsFor, MCP_OUTPUT_CAP } from "./mcp-server.js";
export type { McpCaller, McpDeps } from "./mcp-server.js";
export { mcpRoutes } from "./http.js";
export type { McpHttpOptions } from "./http.js";
