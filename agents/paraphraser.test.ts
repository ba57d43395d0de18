import { afterEach, describe, expect, it } from "vitest";
import { createParaphraser, parseRewrites } from "./paraphraser.js";
import { startOpenAiStub, type OpenAiStub } from "./testing/openai-stub.js";
import { paraphraseScript } from "./testing/paraphrase-script.js";

let stub: OpenAiStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const settings = (url: string) => ({ model: "m", baseUrl: url, timeoutMs: 5_000, maxRetries: 0, pricing: { inputPerMTok: 0, outputPerMTok: 0 } });

describe("createParaphraser", () => {
  it("rewrites every query in order, in batches", async () => {
    stub = await startOpenAiStub({ script: paraphraseScript });
    const texts = Array.from({ length: 45 }, (_, i) => `cheap flights ${i}`);
    const out = await createParaphraser(settings(stub.url))(texts, new AbortController().signal);
    expect(out).toHaveLength(45);
    expect(out[44]).toBe("cheap flights 44 near me");
    expect(stub.requests).toHaveLength(2);
    expect(stub.requests[0]!.messages[0]!.content).toContain("Answer with a JSON array of strings only");
  });

  it("refuses an answer that does not hold one rewrite per query", async () => {
    stub = await startOpenAiStub({ script: () => ({ text: '["only one"]' }) });
    await expect(createParaphraser(settings(stub.url))(["a", "b"], new AbortController().signal)).rejects.toThrow("has 1 items for 2 queries");
  });
});

describe("parseRewrites", () => {
  it("finds the array inside prose and normalises white space", () => {
    expect(parseRewrites('Sure!\n["red  shoes", " blue hat "]', 2)).toEqual(["red shoes", "blue hat"]);
  });
  it("rejects answers without an array, and empty items", () => {
    expect(() => parseRewrites("no idea", 1)).toThrow("no JSON array");
    expect(() => parseRewrites('["", "x"]', 2)).toThrow("paraphrase 1 is not a usable query");
  });
});
