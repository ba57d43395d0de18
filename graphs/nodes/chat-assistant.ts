import { AIMessage, RemoveMessage, SystemMessage, type AIMessageChunk } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { CHAT_PROMPT_VERSION, chatPrompt } from "../../prompts/index.js";
import type { ToolSpec } from "../../agents/index.js";
import type { ChatGraphDeps } from "../chat-deps.js";
import { chatHistory, staleMessageIds } from "../chat-routes.js";
import type { ChatStateType, ChatUpdate } from "../chat-state.js";
import { principalOf } from "./chat-principal.js";

/**
 * One model turn of the chat: the model sees the prompt with the deployment's facts and the recent
 * conversation, and either calls tools or answers. Past the tool-call limit it gets no tools, so it
 * must answer; past the model-call limit the turn ends with a fixed answer.
 */
export function chatAssistantNode(deps: ChatGraphDeps, tools: readonly ToolSpec[]) {
  const withTools = deps.models.bind(tools);
  const withoutTools = deps.models.bind([]);
  return async (state: ChatStateType, config: LangGraphRunnableConfig): Promise<ChatUpdate> => {
    const principal = principalOf(config);
    const { turn } = state;
    // The stored conversation is trimmed when a question arrives, not while it is being answered.
    const stale = turn.modelCalls === 0 ? staleMessageIds(state.messages, deps.limits.keptTurns).map((id) => new RemoveMessage({ id })) : [];
    if (turn.modelCalls >= deps.limits.maxModelCalls) {
      const text = `I stopped after ${turn.modelCalls} steps on this question without an answer; ask me something narrower.`;
      return { messages: [...stale, new AIMessage(text)], turn: { ...turn, modelCalls: turn.modelCalls + 1 } };
    }
    const prompt = chatPrompt({ ...deps.brief, now: deps.clock.now().toISOString(), operator: { name: principal.id, role: principal.role ?? "operator" } });
    const model = turn.toolCalls >= deps.limits.maxToolCalls ? withoutTools : withTools;
    const ai = (await model.invoke([new SystemMessage(prompt), ...chatHistory(state.messages, deps.limits.historyTurns)], {
      ...config,
      runName: "chat",
      metadata: { ...config.metadata, conversation_id: state.conversationId, prompt_version: CHAT_PROMPT_VERSION },
    })) as AIMessageChunk;
    return { messages: [...stale, ai], turn: { ...turn, modelCalls: turn.modelCalls + 1 } };
  };
}
