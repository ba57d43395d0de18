/** The Grafana client and tools. */
export { GrafanaClient } from "./client.js";
export type { GrafanaClientOptions, NewAnnotation } from "./client.js";
export { grafanaTools } from "./toolset.js";
