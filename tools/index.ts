/** Tool definitions, their shared shape, the HTTP base every client builds on, and each system's client and tools. */
export { defineTool, renderToolOutcome, DEFAULT_OUTPUT_CAP, TOOL_SYSTEMS } from "./tool.js";
export type { ToolDefinition, AnyTool, ToolContext, ToolOutcome, ToolFlags, ToolSystem, ToolErrorInfo } from "./tool.js";
export { createHttpClient, UpstreamError, isUpstreamError } from "./http.js";
export type { HttpClient, HttpClientOptions, HttpRequest } from "./http.js";
export { errorOutcome } from "./outcome.js";
export type { ToolClients } from "./clients.js";
export { ALL_TOOLS, findTool } from "./registry.js";
export { PrometheusClient, signalSelector } from "./prometheus/index.js";
export { MlflowClient, ServedDetectors, detectorModelName } from "./mlflow/index.js";
export { H2oClient } from "./h2o/index.js";
export { ArgoCdClient } from "./argocd/index.js";
export { AlertmanagerClient } from "./alertmanager/index.js";
export { GrafanaClient } from "./grafana/index.js";
export { DvcWorkspace, seedDataset } from "./dvc/index.js";
export { GitOpsRepo } from "./gitops/index.js";
export type { HelmValues } from "./gitops/index.js";
export { parseCsv, formatCsv, readCsvColumns } from "./csv.js";
