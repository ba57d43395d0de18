import type { AnyTool } from "./tool.js";
import { prometheusTools } from "./prometheus/index.js";
import { dvcTools } from "./dvc/index.js";
import { h2oTools } from "./h2o/index.js";
import { mlflowTools } from "./mlflow/index.js";
import { gitopsTools } from "./gitops/index.js";
import { argocdTools } from "./argocd/index.js";
import { alertmanagerTools } from "./alertmanager/index.js";
import { grafanaTools } from "./grafana/index.js";
import { autopilotTools } from "./autopilot/index.js";

/** Every tool of the platform, defined once; agents, the MCP server and policies read this list. */
export const ALL_TOOLS: readonly AnyTool[] = [...prometheusTools, ...dvcTools, ...h2oTools, ...mlflowTools, ...gitopsTools, ...argocdTools, ...alertmanagerTools, ...grafanaTools, ...autopilotTools];

/** The tool called `name`, if it exists. */
export function findTool(name: string): AnyTool | undefined {
  return ALL_TOOLS.find((t) => t.name === name);
}
