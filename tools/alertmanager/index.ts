/** The Alertmanager client and tools. */
export { AlertmanagerClient } from "./client.js";
export type { AlertmanagerClientOptions } from "./client.js";
export type { PostableAlert } from "./schemas.js";
export { alertmanagerTools } from "./toolset.js";
