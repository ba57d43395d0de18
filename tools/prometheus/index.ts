/** The Prometheus client and tools. */
export { PrometheusClient, escapeLabelValue } from "./client.js";
export type { PrometheusClientOptions, PromSample, PromSeries } from "./client.js";
export { prometheusTools } from "./toolset.js";
export { signalSelector } from "./tool-support.js";
