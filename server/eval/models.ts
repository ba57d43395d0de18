import { AutopilotError } from "../../core/index.js";
import { openAiProvider, runbookProvider, type ModelProvider } from "../../agents/index.js";
import type { Config } from "../config.js";

/** The eval runner's errors: a suite or an option it cannot use. `code` says which. */
export class EvalError extends AutopilotError {
  override name = "EvalError";
}

/**
 * The configuration scenarios run with for `--model`: "runbook" (offline, deterministic) or
 * "openai:<model>" on the endpoint of OPENAI_BASE_URL / OPENAI_API_KEY. The runbook run drops any
 * configured LLM, so nothing (not even the paraphraser) calls one.
 */
export function configForModel(spec: string, config: Config): Config {
  if (spec === "runbook") return { ...config, openai: undefined };
  const match = /^openai:(.+)$/.exec(spec);
  if (!match) throw new EvalError("eval_bad_model", `--model ${spec}: expected runbook or openai:<model> (openai:gpt-4o-mini, openai:llama3.1 on a local server)`);
  if (!config.openai) {
    throw new EvalError(
      "eval_model_unconfigured",
      `--model ${spec} needs an OpenAI-compatible endpoint: set OPENAI_BASE_URL (vLLM, Ollama, llama.cpp, a proxy) and/or OPENAI_API_KEY (api.openai.com); neither is set`,
    );
  }
  return { ...config, openai: { ...config.openai, model: match[1]! } };
}

/** The model provider a run configuration asks for. */
export function providerFor(config: Config): ModelProvider {
  return config.openai ? openAiProvider(config.openai) : runbookProvider();
}
