import { RunbookChatAssistant } from "../runbook/chat-model.js";
import { chatOpenAi, type ModelProvider, type OpenAiSettings, type ToolSpec } from "../model.js";

/** The chat's model: a name (for traces and the API) and tools bound to it; the chat keeps no cost account. */
export type ChatModelProvider = Pick<ModelProvider, "name" | "bind">;

/**
 * What the supervisor reads when an operator asks: the autopilot's cycles, reports, audit trails
 * and approvals, and the platform's metrics, models and deployments. Every one is read-only (the
 * chat graph checks it against the registry at start).
 */
export const CHAT_READ_TOOLS = [
  "autopilot_list_cycles",
  "autopilot_get_cycle",
  "autopilot_get_cycle_audit",
  "autopilot_list_approvals",
  "prometheus_get_signal",
  "prometheus_query_instant",
  "prometheus_query_range",
  "prometheus_query_breakdown",
  "prometheus_detect_anomalies",
  "alertmanager_list_alerts",
  "mlflow_get_model",
  "mlflow_list_baselines",
  "argocd_get_application",
  "gitops_get_values",
] as const;

/**
 * The one way the chat changes anything: it asks for a cycle, which the policy gate runs now, puts
 * to a human, or refuses. Deploys, rollbacks and alias moves stay the cycle's, behind its own gates.
 */
export const CHAT_REQUEST_TOOLS = ["autopilot_request_cycle"] as const;

/**
 * The chat's model: the configured OpenAI-compatible endpoint with the chat runbook as fallback
 * when it fails, or the chat runbook alone. Both stream their answers token by token (the LLM's
 * own tokens; the runbook's answer word by word) when the graph streams messages.
 */
export function chatModels(settings?: OpenAiSettings): ChatModelProvider {
  const runbook = new RunbookChatAssistant();
  const bindRunbook = (tools: readonly ToolSpec[]) => runbook.bindTools(tools.map(toBindable));
  if (!settings) return { name: "runbook", bind: bindRunbook };
  const llm = chatOpenAi(settings);
  return {
    name: `openai:${settings.model}`,
    bind: (tools) => llm.bindTools(tools.map(toBindable)).withFallbacks([bindRunbook(tools)]) as unknown as ReturnType<ModelProvider["bind"]>,
  };
}

function toBindable(tool: ToolSpec) {
  return { name: tool.name, description: tool.description, schema: tool.schema };
}
