import { describe, expect, it } from "vitest";
import { AutopilotError, SimulatedClock } from "../../core/index.js";
import { isUpstreamError, UpstreamError } from "../http.js";
import { errorOutcome } from "../outcome.js";
import { H2oClient } from "./client.js";
import { H2oJobError } from "./errors.js";
import { modelComplexity } from "./model.js";
import { loadFixtures, replayFetch, type HttpFixture } from "./testing/replay-fetch.js";

const fx = loadFixtures(new URL("./fixtures/", import.meta.url));
const f = (name: string): HttpFixture => {
  const fixture = fx[name];
  if (!fixture) throw new Error(`no fixture ${name}`);
  return fixture;
};
const MODEL_JOB = "$03017f00000132d4ffffffff$_a54f0c11";

function clock() {
  return new SimulatedClock({ start: new Date("2026-01-01T00:00:00Z") });
}

function client(fetchImpl: typeof fetch, extra: Partial<ConstructorParameters<typeof H2oClient>[0]> = {}) {
  return new H2oClient({ baseUrl: "http://h2o.test:54321/h2o", fetch: fetchImpl, clock: clock(), ...extra });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("H2oClient against the recorded fixtures", () => {
  it("reads the cloud status", async () => {
    const replay = replayFetch([f("cloud.ok")], "/h2o");
    const cloud = await client(replay.fetch).cloud();
    expect(cloud).toMatchObject({ version: "3.46.0.10", cloud_healthy: true, consensus: true, cloud_size: 1 });
    replay.assertDone();
  });

  it("imports and parses a CSV, sending arrays as quoted bracket strings and the separator as a byte", async () => {
    const replay = replayFetch([f("import-files.ok"), f("parse-setup.ok"), f("parse.ok"), f("jobs.parse-running"), f("jobs.parse-done")], "/h2o");
    const frame = await client(replay.fetch).importAndParse("/data/datasets/search-relevance/train.csv", "search_relevance_train.hex", { timeoutMs: 60_000 });
    expect(frame).toBe("search_relevance_train.hex");
    replay.assertDone();
    expect(replay.calls[3]!.url.pathname).toBe("/h2o/3/Jobs/%2403017f00000132d4ffffffff%24_8d1c9e2f");
  });

  it("reports a missing file with H2O's message", async () => {
    const replay = replayFetch([f("import-files.missing")], "/h2o");
    const error = await caught(client(replay.fetch).importFiles("/data/datasets/missing/train.csv"));
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ system: "h2o", request: "POST /3/ImportFiles", status: 404, retryable: false });
    expect((error as UpstreamError).upstreamMessage).toBe("File /data/datasets/missing/train.csv does not exist");
    replay.assertDone();
  });

  it("starts a model build and returns the job key and model id", async () => {
    const replay = replayFetch([f("model-builders.ok")], "/h2o");
    const started = await client(replay.fetch).buildModel("gbm", {
      training_frame: "search_relevance_train.hex",
      response_column: "label",
      ignored_columns: ["query_id", "query", "doc_id", "source"],
      model_id: "gbm_search_reranker_1",
      ntrees: 50,
      max_depth: 5,
      learn_rate: 0.1,
      seed: 42,
      sample_rate: undefined,
    });
    expect(started).toEqual({ jobKey: MODEL_JOB, modelId: "gbm_search_reranker_1" });
    replay.assertDone();
  });

  it("turns a 412 into an error listing the validation messages (not the INFO ones)", async () => {
    const replay = replayFetch([f("model-builders.invalid")], "/h2o");
    const error = await caught(
      client(replay.fetch).buildModel("gbm", {
        training_frame: "search_relevance_train.hex",
        response_column: "relevance",
        ignored_columns: ["query_id", "query", "doc_id", "source"],
        model_id: "gbm_search_reranker_1",
        ntrees: 50,
        max_depth: -1,
        learn_rate: 0.1,
        seed: 42,
      }),
    );
    expect(isUpstreamError(error)).toBe(true);
    const e = error as UpstreamError;
    expect(e.code).toBe("h2o_invalid_parameters");
    expect(e.status).toBe(412);
    expect(e.upstreamMessage).toBe(
      "invalid parameters: response_column: Response column 'relevance' not found in frame: search_relevance_train.hex.; max_depth: max_depth must be >= 0.",
    );
    expect(e.message).not.toContain("seed is set");
    expect(errorOutcome(e)).toMatchObject({ status: "error", error: { system: "h2o", upstream_status: 412, request: "POST /3/ModelBuilders/gbm" } });
    expect(replay.calls).toHaveLength(1);
  });

  it("waits for a job with the clock between polls", async () => {
    const replay = replayFetch([f("jobs.model-running"), f("jobs.model-running"), f("jobs.model-done")], "/h2o");
    const c = clock();
    const job = await client(replay.fetch, { clock: c, pollIntervalMs: 2_000 }).waitForJob(MODEL_JOB, { timeoutMs: 60_000 });
    expect(job.status).toBe("DONE");
    expect(c.now().toISOString()).toBe("2026-01-01T00:00:04.000Z");
    replay.assertDone();
  });

  it("throws H2oJobError with the exception text when a job FAILED", async () => {
    const replay = replayFetch([f("jobs.model-running"), f("jobs.model-failed")], "/h2o");
    const error = await caught(client(replay.fetch).waitForJob(MODEL_JOB, { timeoutMs: 60_000 }));
    expect(error).toBeInstanceOf(H2oJobError);
    expect(error).toBeInstanceOf(AutopilotError);
    const e = error as H2oJobError;
    expect(e.code).toBe("h2o_job_failed");
    expect(e.jobStatus).toBe("FAILED");
    expect(e.message).toContain("java.lang.OutOfMemoryError: Java heap space");
    expect(e.upstreamMessage).toContain("SharedTree.buildNextKTrees");
    expect(errorOutcome(e).status).toBe("error");
  });

  it("throws H2oJobError when a job was CANCELLED", async () => {
    const replay = replayFetch([f("jobs.model-cancelled")], "/h2o");
    const error = await caught(client(replay.fetch).waitForJob(MODEL_JOB, { timeoutMs: 60_000 }));
    expect(error).toMatchObject({ name: "H2oJobError", code: "h2o_job_cancelled", jobStatus: "CANCELLED" });
  });

  it("reads a model's validated subset: metrics without NaN, the first row of the summary, parameters", async () => {
    const replay = replayFetch([f("models-get.ok")], "/h2o");
    const model = await client(replay.fetch).getModel("gbm_search_reranker_1");
    expect(model).toMatchObject({
      model_id: "gbm_search_reranker_1",
      algo: "gbm",
      response_column_name: "label",
      have_mojo: true,
      model_category: "Regression",
      training_metrics: { MSE: 0.412, RMSE: 0.6419, r2: 0.551, mae: 0.502, nobs: 6000, mean_residual_deviance: 0.412 },
      model_summary: { number_of_trees: 50, max_depth: 5, mean_depth: 5, model_size_in_bytes: 18422 },
    });
    expect(model.training_metrics).not.toHaveProperty("rmsle");
    expect(model.training_metrics).not.toHaveProperty("scoring_time");
    expect(Object.keys(model.model_summary)).not.toContain("");
    expect(model.parameters.seed).toBe(42);
    expect(modelComplexity(model)).toBe(250);
  });

  it("maps a 404 H2OErrorV3 to its msg", async () => {
    const replay = replayFetch([f("models-get.not-found")], "/h2o");
    const error = await caught(client(replay.fetch).getModel("gbm_missing"));
    expect(error).toMatchObject({ system: "h2o", status: 404, request: "GET /3/Models/gbm_missing", upstreamMessage: "Object 'gbm_missing' not found for argument: key" });
    expect(replay.calls).toHaveLength(1);
  });

  it("predicts synchronously and reads the predict column, NaN as null", async () => {
    const replay = replayFetch([f("predictions.ok"), f("frames-get.predictions")], "/h2o");
    const h2o = client(replay.fetch);
    const frame = await h2o.predict("gbm_search_reranker_1", "search_relevance_eval.hex", { predictionsFrame: "pred_gbm_search_reranker_1" });
    expect(frame).toBe("pred_gbm_search_reranker_1");
    const cols = await h2o.getFrameColumns(frame, { columns: ["predict"], rowCount: 4 });
    expect(cols).toEqual({ predict: [2.31, 0.12, null, 1.7] });
    replay.assertDone();
  });

  it("decodes enum (domain lookup), string and int columns", async () => {
    const replay = replayFetch([f("frames-get.mixed")], "/h2o");
    const cols = await client(replay.fetch).getFrameColumns("search_relevance_eval.hex", { rowCount: 3 });
    expect(cols).toEqual({
      query_id: ["q1", "q1", "q2"],
      query: ["red shoes", "red shoes", null],
      topic: ["sports", "sports", null],
      label: [3, 0, 2],
    });
  });

  it("refuses a column the frame does not have", async () => {
    const replay = replayFetch([f("frames-get.mixed")], "/h2o");
    const error = await caught(client(replay.fetch).getFrameColumns("search_relevance_eval.hex", { columns: ["predict"], rowCount: 3 }));
    expect(error).toMatchObject({ code: "h2o_column_missing" });
  });

  it("downloads the MOJO as bytes and deletes frames and models", async () => {
    const replay = replayFetch([f("models-mojo.ok"), f("frames-delete.ok"), f("models-delete.ok")], "/h2o");
    const h2o = client(replay.fetch);
    const bytes = await h2o.downloadMojo("gbm_search_reranker_1");
    expect(Buffer.from(bytes).toString("latin1")).toBe("PK\u0003\u0004mojo:gbm_search_reranker_1");
    await h2o.deleteFrame("search_relevance_eval.hex");
    await h2o.deleteModel("gbm_search_reranker_1");
    replay.assertDone();
  });
});

describe("H2oClient retry policy, timeouts and polling bounds", () => {
  it("retries a 5xx on GET and succeeds", async () => {
    const replay = replayFetch([f("cloud.server-error"), f("cloud.ok")], "/h2o");
    expect((await client(replay.fetch).cloud()).cloud_healthy).toBe(true);
    replay.assertDone();
  });

  it("gives up after the configured retries with the upstream status and message", async () => {
    const replay = replayFetch([f("cloud.server-error"), f("cloud.server-error"), f("cloud.server-error")], "/h2o");
    const error = await caught(client(replay.fetch, { retries: 2 }).cloud());
    expect(error).toMatchObject({ system: "h2o", request: "GET /3/Cloud", status: 500, retryable: true, code: "upstream_server_error" });
    expect((error as UpstreamError).upstreamMessage).toContain("NullPointerException");
    replay.assertDone();
  });

  it("retries network errors", async () => {
    const replay = replayFetch([f("cloud.ok")], "/h2o");
    let failures = 1;
    const flaky: typeof fetch = async (input, init) => {
      if (failures-- > 0) throw new TypeError("fetch failed: ECONNRESET");
      return replay.fetch(input, init);
    };
    expect((await client(flaky).cloud()).version).toBe("3.46.0.10");
  });

  it("does not retry a 5xx of a model build (POST)", async () => {
    const failing = { ...f("model-builders.ok"), response: f("cloud.server-error").response };
    const replay = replayFetch([failing, f("model-builders.ok")], "/h2o");
    const form = failing.request.form!;
    const error = await caught(
      client(replay.fetch).buildModel("gbm", {
        ...form,
        ignored_columns: ["query_id", "query", "doc_id", "source"],
      }),
    );
    expect(error).toMatchObject({ status: 500 });
    expect(replay.calls).toHaveLength(1);
  });

  it("times out a request that never answers and retries it", async () => {
    let attempts = 0;
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        attempts++;
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      });
    const error = await caught(client(hanging, { timeoutMs: 20, retries: 1 }).cloud());
    expect(error).toMatchObject({ code: "upstream_timeout", system: "h2o", request: "GET /3/Cloud" });
    expect(attempts).toBe(2);
  });

  it("stops polling a job that never ends after the timeout, with a bounded number of polls", async () => {
    const running = f("jobs.model-running");
    const replay = replayFetch(Array.from({ length: 20 }, () => running), "/h2o");
    const error = await caught(client(replay.fetch, { pollIntervalMs: 1_000 }).waitForJob(MODEL_JOB, { timeoutMs: 5_000 }));
    expect(error).toMatchObject({ code: "h2o_job_timeout" });
    expect((error as Error).message).toContain("still RUNNING at 30%");
    expect(replay.calls).toHaveLength(6);
  });

  it("stops waiting when the signal aborts", async () => {
    const replay = replayFetch([f("jobs.model-running"), f("jobs.model-running")], "/h2o");
    const controller = new AbortController();
    controller.abort(new Error("cycle cancelled"));
    const error = await caught(client(replay.fetch).waitForJob(MODEL_JOB, { timeoutMs: 60_000, signal: controller.signal }));
    expect((error as Error).message).toContain("cancelled");
    expect(replay.calls).toHaveLength(0);
  });

  it("sends the configured headers and keeps them out of errors", async () => {
    const replay = replayFetch([f("models-get.not-found")], "/h2o");
    const error = await caught(client(replay.fetch, { headers: { authorization: "Basic c2VjcmV0LXVzZXI6cHc=" } }).getModel("gbm_missing"));
    expect(replay.calls[0]!.headers.authorization).toBe("Basic c2VjcmV0LXVzZXI6cHc=");
    expect(JSON.stringify(errorOutcome(error))).not.toContain("c2VjcmV0");
    expect((error as Error).message).not.toContain("c2VjcmV0");
  });

  it("pages through a long frame", async () => {
    const requested: string[] = [];
    const pages: typeof fetch = async (input) => {
      const url = new URL(String(input));
      requested.push(url.search);
      const offset = Number(url.searchParams.get("row_offset"));
      const count = Number(url.searchParams.get("row_count"));
      const data = Array.from({ length: Math.min(count, 5 - offset) }, (_, i) => offset + i);
      const body = { frames: [{ rows: 5, columns: [{ label: "predict", type: "real", data, domain: null, string_data: null }] }] };
      return new Response(JSON.stringify(body), { status: 200 });
    };
    const h2o = client(pages, { framePageRows: 2 });
    expect(await h2o.getFrameColumns("p", { columns: ["predict"], rowCount: 10 })).toEqual({ predict: [0, 1, 2, 3, 4] });
    expect(requested).toEqual(["?row_offset=0&row_count=2", "?row_offset=2&row_count=2", "?row_offset=4&row_count=1"]);
  });
});
