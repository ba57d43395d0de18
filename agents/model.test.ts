import { afterEach, describe, expect, it } from "vitest";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { z } from "zod";
import { DEFAULT_TRIGGER_CONTRACT } from "../core/index.js";
import { specialistPrompt, taskMessage } from "../prompts/index.js";
import { metricsAnalyst } from "./index.js";
import { openAiProvider, runbookProvider } from "./model.js";
import { startOpenAiStub, type OpenAiStub } from "./testing/openai-stub.js";

const tools = [{ name: "prometheus_get_signal", description: "Current value of a signal.", schema: z.object({ signal: z.string().describe("signal"), service: z.string().describe("service") }) }];
const messages = [
  new SystemMessage(specialistPrompt({ agent: metricsAnalyst, environment: "production", now: new Date("2026-11-20T09:00:00Z") })),
  new HumanMessage(
    taskMessage({
      cycle_id: "si_2026_11_20_001",
      agent: "metrics-analyst",
      phase: "monitor",
      step: "monitor",
      instructions: "confirm",
      environment: "production",
      signal: "ndcg_drop",
      service: "search",
      catalog: null,
      trigger: {},
      contract: { ...DEFAULT_TRIGGER_CONTRACT.signals.ndcg_drop },
      findings: {},
      deployments: [],
      git_changes: [],
    }),
  ),
];

let stub: OpenAiStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const settings = (url: string) => ({ model: "test-model", apiKey: "sk-test-123456", baseUrl: url, timeoutMs: 5_000, maxRetries: 0, pricing: { inputPerMTok: 2, outputPerMTok: 8 } });

describe("openAiProvider over real HTTP", () => {
  it("sends the bound tools and turns the endpoint's tool call into a LangChain tool call", async () => {
    stub = await startOpenAiStub({ apiKey: "sk-test-123456" });
    const provider = openAiProvider(settings(stub.url));
    const ai = await provider.bind(tools).invoke(messages);
    expect(ai.tool_calls).toEqual([expect.objectContaining({ name: "prometheus_get_signal", args: { signal: "ndcg_drop", service: "search" } })]);
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]!.model).toBe("test-model");
    expect(stub.requests[0]!.tools?.map((t) => t.function.name)).toEqual(["prometheus_get_signal"]);
    expect(provider.cost(ai.usage_metadata)).toBeGreaterThan(0);
  });

  it("falls back to the runbook when the endpoint fails", async () => {
    stub = await startOpenAiStub({ script: () => ({ httpStatus: 500 }) });
    const ai = await openAiProvider(settings(stub.url)).bind(tools).invoke(messages);
    expect(stub.requests.length).toBeGreaterThanOrEqual(1);
    expect(ai.tool_calls?.[0]?.name).toBe("prometheus_get_signal");
  });

  it("uses what the endpoint decides, not the runbook's choice", async () => {
    stub = await startOpenAiStub({ script: () => ({ text: "The signal looks fine to me." }) });
    const ai = await openAiProvider(settings(stub.url)).bind(tools).invoke(messages);
    expect(ai.tool_calls ?? []).toHaveLength(0);
    expect(ai.content).toBe("The signal looks fine to me.");
  });
});

describe("runbookProvider", () => {
  it("is free and deterministic", async () => {
    const provider = runbookProvider();
    const a = await provider.bind(tools).invoke(messages);
    const b = await provider.bind(tools).invoke(messages);
    expect(a.tool_calls?.[0]?.args).toEqual(b.tool_calls?.[0]?.args);
    expect(provider.cost(a.usage_metadata)).toBe(0);
    expect(provider.name).toBe("runbook");
  });
});
