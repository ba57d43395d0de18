import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { H2oClient } from "./client.js";
import { h2oTools, h2oTrainModel } from "./toolset.js";
import { createFakeH2o, type FakeH2oOptions } from "./testing/fake-h2o.js";
import { makeRows, writeDataset } from "./testing/datasets.js";
import { testToolContext } from "./testing/tool-context.js";

const root = mkdtempSync(join(tmpdir(), "h2o-toolset-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const rows = makeRows({ queries: 3, docs: 6, topics: ["fashion", "sports"], labelOf: (_q, d) => (d === 5 ? 3 : d === 4 ? 1 : 0) });
const dataset = writeDataset(root, "search-relevance", rows, rows);

function setup(options: FakeH2oOptions = {}) {
  const fake = createFakeH2o(options);
  const ctx = testToolContext({});
  const h2o = new H2oClient({ baseUrl: "http://h2o.test/h2o", fetch: fake.fetch, clock: ctx.clock, pollIntervalMs: 1_000 });
  ctx.clients = { ...ctx.clients, h2o };
  return { fake, ctx };
}

const parse = (input: unknown) => h2oTrainModel.input.parse(input);

describe("h2o_train_model", () => {
  it("is registered as a write, non-destructive, non-idempotent open-world tool with a 30 min timeout", () => {
    expect(h2oTools.map((t) => t.name)).toEqual(["h2o_train_model"]);
    expect(h2oTrainModel.flags).toEqual({ readOnly: false, destructive: false, idempotent: false, openWorld: true });
    expect(h2oTrainModel.timeoutMs).toBe(30 * 60_000);
    expect(h2oTrainModel.description).toContain("complexity");
  });

  it("imports train.csv, trains with the parameters, waits for the job and reports the model", async () => {
    const { fake, ctx } = setup();
    const outcome = await h2oTrainModel.run(parse({ dataset_path: dataset, params: { ntrees: 40, max_depth: 6, seed: 7 }, model_id: "gbm_test_1" }), ctx);
    expect(outcome.status).toBe("success");
    if (outcome.status !== "success") return;
    expect(outcome.data).toMatchObject({
      h2o_model_id: "gbm_test_1",
      algo: "gbm",
      params: { ntrees: 40, max_depth: 6, learn_rate: 0.1, sample_rate: 1, seed: 7 },
      training_metrics: { RMSE: 0.5, MSE: 0.25, r2: 0.6 },
      model_summary: { number_of_trees: 40, max_depth: 6 },
      complexity: 240,
      duration_ms: 2_000, // one RUNNING poll for the parse, one for the build, 1 s apart on the simulated clock
    });
    expect(outcome.data.train_frame).toMatch(/^train_search-relevance_\d+\.hex$/);
    expect(outcome.summary).toContain("gbm_test_1");
    expect(fake.requests.find((r) => r.path === "/3/ImportFiles")?.form.path).toBe(`${dataset}/train.csv`);
    const build = fake.requests.find((r) => r.path === "/3/ModelBuilders/gbm")!;
    expect(build.form).toEqual({
      training_frame: outcome.data.train_frame,
      response_column: "label",
      ignored_columns: '["query_id","query","doc_id","source"]',
      model_id: "gbm_test_1",
      ntrees: "40",
      max_depth: "6",
      seed: "7",
    });
  });

  it("drops the parameters an algorithm does not take", async () => {
    const { fake, ctx } = setup();
    const outcome = await h2oTrainModel.run(parse({ dataset_path: dataset, algo: "glm", params: { ntrees: 10, learn_rate: 0.3, seed: 3 } }), ctx);
    expect(outcome.status).toBe("success");
    expect(outcome.summary).toContain("glm does not take ntrees, learn_rate; dropped");
    const build = fake.requests.find((r) => r.path === "/3/ModelBuilders/glm")!;
    expect(build.form).not.toHaveProperty("ntrees");
    expect(build.form.seed).toBe("3");
  });

  it("returns an error outcome with H2O's exception when the training job fails", async () => {
    const { ctx } = setup({ train: { status: "FAILED", exception: "java.lang.OutOfMemoryError: Java heap space" } });
    const outcome = await h2oTrainModel.run(parse({ dataset_path: dataset }), ctx);
    expect(outcome.status).toBe("error");
    if (outcome.status !== "error") return;
    expect(outcome.error).toMatchObject({ code: "h2o_job_failed", system: "h2o", retryable: false });
    expect(outcome.error.message).toContain("OutOfMemoryError");
    expect(outcome.error.upstream_message).toContain("Java heap space");
  });

  it("returns an error outcome listing the validation messages on a 412", async () => {
    const { ctx } = setup();
    const outcome = await h2oTrainModel.run(parse({ dataset_path: dataset, response_column: "relevance" }), ctx);
    expect(outcome.status).toBe("error");
    if (outcome.status !== "error") return;
    expect(outcome.error).toMatchObject({ code: "h2o_invalid_parameters", upstream_status: 412, request: "POST /3/ModelBuilders/gbm" });
    expect(outcome.error.message).toContain("Response column 'relevance' not found");
  });

  it("returns an error outcome when train.csv does not exist", async () => {
    const { ctx } = setup();
    const outcome = await h2oTrainModel.run(parse({ dataset_path: join(root, "missing") }), ctx);
    expect(outcome).toMatchObject({ status: "error", error: { upstream_status: 404, system: "h2o" } });
  });

  it("validates its input", () => {
    expect(h2oTrainModel.input.safeParse({ dataset_path: "datasets/x" }).success).toBe(false);
    expect(h2oTrainModel.input.safeParse({ dataset_path: "/x", model_id: "bad id!" }).success).toBe(false);
    expect(h2oTrainModel.input.safeParse({ dataset_path: "/x", algo: "deeplearning" }).success).toBe(false);
    expect(parse({ dataset_path: "/x" })).toEqual({ dataset_path: "/x", algo: "gbm", params: {}, response_column: "label" });
  });
});
