import { afterEach, describe, expect, it } from "vitest";
import { CycleReportSchema } from "../graphs/index.js";
import { startOpenAiStub, runbookScript, type OpenAiStub } from "../agents/testing/openai-stub.js";
import { paraphraseScript } from "../agents/testing/paraphrase-script.js";
import { startHarness, type Harness } from "./testing/harness.js";

const KEY = "sk-test-9f8e7d6c5b4a";
let stub: OpenAiStub | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  await stub?.close();
  h = undefined;
  stub = undefined;
});

async function runCycle(harness: Harness) {
  const sandbox = harness.ap.platform.sandbox!;
  sandbox.advanceToAlert(0);
  const { cycles_started } = (await (await harness.webhook(sandbox.alertPayload(0))).json()) as { cycles_started: string[] };
  return harness.settle(cycles_started[0]!);
}

describe("agents on an OpenAI-compatible endpoint (OPENAI_BASE_URL)", () => {
  it("run a whole cycle through ChatOpenAI over HTTP, with the endpoint's tool calls", async () => {
    // Agent turns get the runbook's tool calls; the paraphrase requests of the augmentation get rewrites.
    stub = await startOpenAiStub({ apiKey: KEY, script: (req) => (req.tools?.length ? runbookScript(req) : paraphraseScript(req)) });
    h = await startHarness({
      scenario: "ndcg-drop",
      env: { OPENAI_BASE_URL: stub.url, OPENAI_API_KEY: KEY, OPENAI_MODEL: "local-llama", OPENAI_PRICE_INPUT_PER_MTOK: "0.5", OPENAI_PRICE_OUTPUT_PER_MTOK: "1.5" },
    });
    expect(h.ap.models.name).toBe("openai:local-llama");
    const cycle = await runCycle(h);
    const report = CycleReportSchema.parse(cycle.report);
    expect(report.outcome).toBe("promoted");
    expect(report.model).toBe("openai:local-llama");
    const agentRequests = stub.requests.filter((r) => r.tools?.length);
    expect(report.usage.modelCalls).toBe(agentRequests.length);
    // The data engineer's new examples were paraphrased by the same endpoint.
    const manifest = report.artifacts.find((a) => a.kind === "dataset_manifest")!;
    const content = JSON.parse((await h.ap.store.artifacts.get(manifest.id))!.content) as { paraphrase: { status: string } };
    expect(content.paraphrase.status).toBe("applied");
    expect(stub.requests.length).toBeGreaterThan(agentRequests.length);
    expect(report.total_cost).toBeGreaterThan(0);
    // Each agent was offered exactly its own tools.
    const offered = new Set(agentRequests.map((r) => (r.tools ?? []).map((t) => t.function.name).sort().join(",")));
    expect([...offered]).toEqual(expect.arrayContaining(["assign_task,finish_cycle", "dvc_augment_dataset,dvc_get_dataset"]));
    expect(stub.requests.every((r) => r.model === "local-llama")).toBe(true);
    // The key travelled only as the endpoint's credential.
    const audit = JSON.stringify(await h.ap.store.audit.list({ cycleId: cycle.id, limit: 5000 }));
    expect(audit).not.toContain(KEY);
    expect(JSON.stringify(cycle.report)).not.toContain(KEY);
  });

  it("fall back to the runbook when the endpoint fails, and the cycle still ends", async () => {
    let calls = 0;
    stub = await startOpenAiStub({ script: (req) => (++calls % 2 === 0 ? { httpStatus: 503 } : runbookScript(req)) });
    h = await startHarness({ scenario: "ndcg-drop", env: { OPENAI_BASE_URL: stub.url, OPENAI_MAX_RETRIES: "0" } });
    const cycle = await runCycle(h);
    expect(CycleReportSchema.parse(cycle.report).outcome).toBe("promoted");
    expect(stub.requests.length).toBeGreaterThan(10);
  });
});
