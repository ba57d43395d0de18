import { ChatOpenAI } from "@langchain/openai";
import type { AIMessageChunk } from "@langchain/core/messages";
import type { Runnable } from "@langchain/core/runnables";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { ZodType } from "zod";
import { RunbookChatModel } from "./runbook/index.js";

/** A tool as a model sees it: name, description and input schema. */
export interface ToolSpec {
  name: string;
  description: string;
  schema: ZodType;
}

/** Where the agents' decisions come from. */
export interface ModelProvider {
  /** "runbook" or "openai:<model>". */
  readonly name: string;
  /** A model bound to `tools`; when an LLM is configured, it falls back to the runbook on failure. */
  bind(tools: readonly ToolSpec[]): Runnable<BaseLanguageModelInput, AIMessageChunk>;
  /** The USD cost of one model call's token usage. */
  cost(usage: { input_tokens?: number; output_tokens?: number } | undefined): number;
}

/** Settings of an OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp). */
export interface OpenAiSettings {
  model: string;
  apiKey?: string;
  baseUrl?: string;
  timeoutMs: number;
  maxRetries: number;
  /** USD per million input and output tokens. */
  pricing: { inputPerMTok: number; outputPerMTok: number };
}

/** The runbook model alone: deterministic, offline, free. */
export function runbookProvider(): ModelProvider {
  const runbook = new RunbookChatModel();
  return {
    name: "runbook",
    bind: (tools) => runbook.bindTools(tools.map(toBindable)),
    cost: () => 0,
  };
}

/** The ChatOpenAI client of an OpenAI-compatible endpoint, deterministic (temperature 0). */
export function chatOpenAi(settings: OpenAiSettings): ChatOpenAI {
  return new ChatOpenAI({
    model: settings.model,
    // Local servers (vLLM, Ollama) accept any key; the SDK insists on one being set.
    apiKey: settings.apiKey ?? "not-needed",
    configuration: settings.baseUrl ? { baseURL: settings.baseUrl } : undefined,
    temperature: 0,
    timeout: settings.timeoutMs,
    maxRetries: settings.maxRetries,
  });
}

/** An OpenAI-compatible chat model with the runbook as fallback when the endpoint fails. */
export function openAiProvider(settings: OpenAiSettings): ModelProvider {
  const llm = chatOpenAi(settings);
  const runbook = new RunbookChatModel();
  return {
    name: `openai:${settings.model}`,
    bind: (tools) => {
      const bindable = tools.map(toBindable);
      return llm.bindTools(bindable).withFallbacks([runbook.bindTools(bindable)]) as unknown as Runnable<BaseLanguageModelInput, AIMessageChunk>;
    },
    cost: (usage) =>
      ((usage?.input_tokens ?? 0) * settings.pricing.inputPerMTok + (usage?.output_tokens ?? 0) * settings.pricing.outputPerMTok) / 1_000_000,
  };
}

function toBindable(tool: ToolSpec) {
  return { name: tool.name, description: tool.description, schema: tool.schema };
}

