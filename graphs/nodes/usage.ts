import type { AIMessageChunk } from "@langchain/core/messages";
import type { ModelProvider } from "../../agents/index.js";
import type { Usage } from "../state.js";

/** The usage of one model call. */
export function usageOf(message: AIMessageChunk, models: ModelProvider): Usage {
  const u = message.usage_metadata;
  return {
    modelCalls: 1,
    toolCalls: 0,
    inputTokens: u?.input_tokens ?? 0,
    outputTokens: u?.output_tokens ?? 0,
    costUsd: models.cost(u),
  };
}
