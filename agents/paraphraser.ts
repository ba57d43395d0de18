import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { paraphraseMessage, paraphrasePrompt, PARAPHRASE_PROMPT_VERSION } from "../prompts/index.js";
import { chatOpenAi, type OpenAiSettings } from "./model.js";

/** Rewrites texts with an LLM; the data engineer's augmentation uses it when an LLM is configured. */
export type Paraphraser = (texts: string[], signal: AbortSignal) => Promise<string[]>;

/** Queries sent per request, so one answer stays well inside any context window. */
const BATCH = 40;

/**
 * A paraphraser on the configured OpenAI-compatible endpoint. It throws when the model's answer is
 * not one rewrite per query; the augmentation then keeps its template texts and says so.
 */
export function createParaphraser(settings: OpenAiSettings): Paraphraser {
  const llm = chatOpenAi(settings);
  return async (texts, signal) => {
    const out: string[] = [];
    for (let i = 0; i < texts.length; i += BATCH) {
      const batch = texts.slice(i, i + BATCH);
      const ai = await llm.invoke([new SystemMessage(paraphrasePrompt()), new HumanMessage(paraphraseMessage(batch))], {
        signal,
        runName: "paraphrase",
        metadata: { prompt_version: PARAPHRASE_PROMPT_VERSION },
      });
      out.push(...parseRewrites(typeof ai.content === "string" ? ai.content : JSON.stringify(ai.content), batch.length));
    }
    return out;
  };
}

/** The JSON array of a model's answer, checked to hold `expected` non-empty strings. */
export function parseRewrites(text: string, expected: number): string[] {
  const start = text.indexOf("[");
  const end = text.lastIndexOf("]");
  if (start < 0 || end < start) throw new Error("the paraphrase answer holds no JSON array");
  const parsed = JSON.parse(text.slice(start, end + 1)) as unknown;
  if (!Array.isArray(parsed) || parsed.length !== expected) throw new Error(`the paraphrase answer has ${Array.isArray(parsed) ? parsed.length : 0} items for ${expected} queries`);
  return parsed.map((t, i) => {
    if (typeof t !== "string" || !t.trim() || t.length > 300) throw new Error(`paraphrase ${i + 1} is not a usable query`);
    return t.trim().replace(/\s+/g, " ");
  });
}
