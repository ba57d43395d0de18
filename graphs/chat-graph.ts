import { END, START, StateGraph } from "@langchain/langgraph";
import type { ToolSpec } from "../agents/index.js";
import type { ChatGraphDeps } from "./chat-deps.js";
import { ChatState } from "./chat-state.js";
import { routeAfterChatAssistant } from "./chat-routes.js";
import { chatAssistantNode } from "./nodes/chat-assistant.js";
import { chatToolsNode } from "./nodes/chat-tools.js";

/**
 * The chat with the supervisor: one conversation per thread (its id is the thread id, so any
 * replica on the same database continues it from the checkpoint).
 *
 *   START -> assistant <-> tools
 *               |
 *               +-> END   (the answer of the turn)
 *
 * The assistant (an LLM, or the chat runbook) reads with read-only tools and may request a cycle;
 * every call goes through the policy gate in `tools` as the operator of the run, so a request
 * becomes a queued cycle, an approval request or a refusal with the policy's reasons.
 */
export function createChatGraph(deps: ChatGraphDeps) {
  const spec = (name: string): ToolSpec => {
    const tool = deps.gate.tool(name);
    if (!tool) throw new Error(`the chat lists tool "${name}", which is not registered`);
    return { name: tool.name, description: tool.description, schema: tool.input };
  };
  // The chat reads with read-only tools only; a list that says otherwise is a bug, caught at start.
  const writing = deps.tools.read.filter((name) => deps.gate.tool(name)?.flags.readOnly === false);
  if (writing.length) throw new Error(`the chat's read tools must be read-only: ${writing.join(", ")}`);
  const names = [...deps.tools.read, ...deps.tools.request];
  const specs = names.map(spec);

  const graph = new StateGraph(ChatState)
    // The model answers, or calls tools.
    .addNode("assistant", chatAssistantNode(deps, specs))
    // Every call passes the policy gate as the operator.
    .addNode("tools", chatToolsNode(deps, new Set(names)))
    .addEdge(START, "assistant")
    .addConditionalEdges("assistant", routeAfterChatAssistant, ["tools", END])
    .addEdge("tools", "assistant");

  const compiled = graph.compile({ checkpointer: deps.checkpointer });
  compiled.name = "autopilot-chat";
  return compiled;
}

/** The compiled chat graph. */
export type ChatGraph = ReturnType<typeof createChatGraph>;
