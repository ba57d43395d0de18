import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { Principal } from "../../policies/index.js";

/**
 * The operator the chat acts for, from the run's configuration (set by the server from the
 * authenticated token, never from the conversation, so nothing a model or a message says can
 * change it). A run without one fails rather than calling tools as nobody.
 */
export function principalOf(config: LangGraphRunnableConfig): Principal & { type: "Operator" } {
  const p = config.configurable?.principal as Principal | undefined;
  if (!p || p.type !== "Operator" || !p.id || !p.role) throw new Error("the chat runs for an operator: configurable.principal must be an Operator with an id and a role");
  return { type: "Operator", id: p.id, role: p.role };
}
