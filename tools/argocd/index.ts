/** The Argo CD client and tools. */
export { ArgoCdClient, ArgoCdOperationError } from "./client.js";
export type { ArgoCdClientOptions } from "./client.js";
export type { Application, HistoryEntry } from "./application.js";
export { argocdTools } from "./toolset.js";
