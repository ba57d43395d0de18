import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../core/index.js";
import { UpstreamError } from "../http.js";
import { errorOutcome } from "../outcome.js";
import { renderToolOutcome } from "../tool.js";
import { loadFixtures, replayFetch, type HttpFixture } from "../h2o/testing/replay-fetch.js";
import { MlflowClient } from "./client.js";

const fx = loadFixtures(new URL("./fixtures/", import.meta.url));
const f = (name: string): HttpFixture => {
  const fixture = fx[name];
  if (!fixture) throw new Error(`no fixture ${name}`);
  return fixture;
};
const RUN = "8f3c1e2a9b7d4f60a1c2e3d4f5a6b7c8";
const ART = `mlflow-artifacts:/483920175301/${RUN}/artifacts`;
const TOKEN = "tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0";
const RUN_INIT = {
  experimentId: "483920175301",
  runName: "si_2026_01_01_001-fine_tune",
  tags: {
    "autopilot.cycle_id": "si_2026_01_01_001",
    "autopilot.strategy": "fine_tune",
    "h2o.model_id": "gbm_search_reranker_1",
    "dvc.md5": "a1b2c3d4e5f60718293a4b5c6d7e8f90.dir",
    "dvc.path": "datasets/search-relevance-augmented",
  },
};

function client(fetchImpl: typeof fetch, extra: Partial<ConstructorParameters<typeof MlflowClient>[0]> = {}) {
  const clock = new SimulatedClock({ start: new Date("2026-01-01T00:00:00Z") });
  return new MlflowClient({ baseUrl: "http://mlflow.test/mlflow", fetch: fetchImpl, clock, ...extra });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("MlflowClient tracking against the recorded fixtures", () => {
  it("creates an experiment", async () => {
    const replay = replayFetch([f("experiments-create.ok")], "/mlflow");
    expect(await client(replay.fetch).getOrCreateExperiment("autopilot/search-reranker")).toBe("483920175301");
    replay.assertDone();
  });

  it("falls back to get-by-name when the experiment exists (400 RESOURCE_ALREADY_EXISTS)", async () => {
    const replay = replayFetch([f("experiments-create.already-exists"), f("experiments-get-by-name.ok")], "/mlflow");
    expect(await client(replay.fetch).getOrCreateExperiment("autopilot/search-reranker")).toBe("483920175301");
    replay.assertDone();
  });

  it("creates a run with tags and the clock's start time, and finishes it", async () => {
    const replay = replayFetch([f("runs-create.ok"), f("runs-update.finished")], "/mlflow");
    const mlflow = client(replay.fetch);
    const run = await mlflow.createRun(RUN_INIT);
    expect(run.info).toMatchObject({ run_id: RUN, artifact_uri: ART, status: "RUNNING" });
    expect(run.tags["mlflow.runName"]).toBe("si_2026_01_01_001-fine_tune");
    const info = await mlflow.updateRun(RUN, { status: "FINISHED" });
    expect(info.status).toBe("FINISHED");
    replay.assertDone();
  });

  it("reads a run's metrics, params and tags as records", async () => {
    const replay = replayFetch([f("runs-get.ok")], "/mlflow");
    const run = await client(replay.fetch).getRun(RUN);
    expect(run.metrics).toEqual({ train_RMSE: 0.6419, eval_ndcg_at_10: 0.71 });
    expect(run.params).toEqual({ ntrees: "50", max_depth: "5" });
    expect(run.tags["h2o.model_id"]).toBe("gbm_search_reranker_1");
  });

  it("logs a batch of metrics (stamped by the clock), params and tags", async () => {
    const replay = replayFetch([f("runs-log-batch.ok")], "/mlflow");
    await client(replay.fetch).logBatch(RUN, { metrics: { train_RMSE: 0.6419, train_r2: 0.551 }, params: { ntrees: 50, max_depth: "5" }, tags: { "autopilot.phase": "train" } });
    replay.assertDone();
  });

  it("maps an error body to ERROR_CODE: message", async () => {
    const replay = replayFetch([f("runs-log-batch.param-changed")], "/mlflow");
    const error = await caught(client(replay.fetch).logBatch(RUN, { params: { ntrees: 60 } }));
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ system: "mlflow", request: "POST /api/2.0/mlflow/runs/log-batch", status: 400, retryable: false });
    expect((error as UpstreamError).upstreamMessage).toMatch(/^INVALID_PARAMETER_VALUE: Changing param values is not allowed/);
  });

  it("splits a large batch within the documented limits", async () => {
    const bodies: { metrics: unknown[]; params: unknown[]; tags: unknown[] }[] = [];
    const capture: typeof fetch = async (_input, init) => {
      bodies.push(JSON.parse(String(init?.body)));
      return new Response("{}", { status: 200 });
    };
    const metrics = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`m${i}`, i]));
    const params = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`p${i}`, i]));
    await client(capture).logBatch(RUN, { metrics, params });
    expect(bodies.map((b) => [b.metrics.length, b.params.length, b.tags.length])).toEqual([
      [1000, 0, 0],
      [500, 100, 0],
      [0, 50, 0],
    ]);
  });
});

describe("MlflowClient artifacts", () => {
  it("uploads through the mlflow-artifacts proxy as raw bytes", async () => {
    const replay = replayFetch([f("artifacts-put.ok")], "/mlflow");
    const bytes = new Uint8Array([0x50, 0x4b, 3, 4, 1, 2]);
    await client(replay.fetch).uploadArtifact(ART, "model/gbm_search_reranker_1.zip", bytes, "application/zip");
    replay.assertDone();
    expect(replay.calls[0]!.headers["content-type"]).toBe("application/zip");
    expect(replay.calls[0]!.body).toEqual(bytes);
  });

  it("reports the 503 plain text of a server without --serve-artifacts", async () => {
    const replay = replayFetch([f("artifacts-put.not-served"), f("artifacts-put.not-served"), f("artifacts-put.not-served")], "/mlflow");
    const error = await caught(client(replay.fetch).uploadArtifact(ART, "model/gbm_search_reranker_1.zip", "x"));
    expect(error).toMatchObject({ status: 503, retryable: true });
    expect((error as UpstreamError).upstreamMessage).toContain("--no-serve-artifacts");
  });

  it("refuses artifact URIs the proxy does not serve, saying how to fix it", async () => {
    const replay = replayFetch([], "/mlflow");
    const error = await caught(client(replay.fetch).uploadArtifact("s3://bucket/1/abc/artifacts", "model/x.zip", "x"));
    expect(error).toMatchObject({ code: "mlflow_artifacts_not_proxied" });
    expect((error as Error).message).toContain("--serve-artifacts");
    expect(replay.calls).toHaveLength(0);
  });

  it("refuses unsafe relative paths", async () => {
    const error = await caught(client(replayFetch([]).fetch).uploadArtifact(ART, "../other-run/model.zip", "x"));
    expect(error).toMatchObject({ code: "mlflow_bad_artifact_path" });
  });

  it("lists artifacts with paths relative to the run's artifact root", async () => {
    const replay = replayFetch([f("artifacts-list.ok")], "/mlflow");
    expect(await client(replay.fetch).listArtifacts(ART, "model")).toEqual([
      { path: "model/MLmodel", is_dir: false, file_size: 231 },
      { path: "model/gbm_search_reranker_1.zip", is_dir: false, file_size: 18422 },
    ]);
    replay.assertDone();
  });
});

describe("MlflowClient model registry", () => {
  it("ensures a registered model, creating it or getting it", async () => {
    const replay = replayFetch([f("registered-models-create.ok"), f("registered-models-create.already-exists"), f("registered-models-get.ok")], "/mlflow");
    const mlflow = client(replay.fetch);
    expect((await mlflow.ensureRegisteredModel("search-reranker")).name).toBe("search-reranker");
    expect((await mlflow.ensureRegisteredModel("search-reranker")).aliases).toEqual([{ alias: "champion", version: "2" }]);
    replay.assertDone();
  });

  it("creates a version and polls until READY", async () => {
    const replay = replayFetch([f("model-versions-create.ok"), f("model-versions-get.pending"), f("model-versions-get.ready")], "/mlflow");
    const clock = new SimulatedClock({ start: new Date("2026-01-01T00:00:00Z") });
    const mlflow = client(replay.fetch, { clock, pollIntervalMs: 500 });
    const created = await mlflow.createModelVersion({
      name: "search-reranker",
      source: `${ART}/model`,
      runId: RUN,
      tags: { h2o_model_id: "gbm_search_reranker_1", dvc_md5: "a1b2c3d4e5f60718293a4b5c6d7e8f90.dir", "autopilot.cycle_id": "si_2026_01_01_001" },
    });
    expect(created).toMatchObject({ version: "3", status: "PENDING_REGISTRATION", run_id: RUN });
    const ready = await mlflow.waitForModelVersionReady("search-reranker", "3", { timeoutMs: 60_000 });
    expect(ready).toMatchObject({ status: "READY", aliases: ["candidate"], tags: { h2o_model_id: "gbm_search_reranker_1" } });
    expect(clock.now().toISOString()).toBe("2026-01-01T00:00:00.500Z");
    replay.assertDone();
  });

  it("fails the wait on FAILED_REGISTRATION with the status message", async () => {
    const replay = replayFetch([f("model-versions-get.pending"), f("model-versions-get.failed")], "/mlflow");
    const error = await caught(client(replay.fetch).waitForModelVersionReady("search-reranker", "3", { timeoutMs: 60_000 }));
    expect(error).toMatchObject({ code: "mlflow_registration_failed" });
    expect((error as Error).message).toContain("access denied");
  });

  it("bounds the polls of a version that stays pending", async () => {
    const replay = replayFetch(Array.from({ length: 30 }, () => f("model-versions-get.pending")), "/mlflow");
    const error = await caught(client(replay.fetch, { pollIntervalMs: 1_000 }).waitForModelVersionReady("search-reranker", "3", { timeoutMs: 3_000 }));
    expect(error).toMatchObject({ code: "mlflow_registration_timeout" });
    expect(replay.calls).toHaveLength(4);
  });

  it("returns null for a missing version, a missing alias and a missing model", async () => {
    const replay = replayFetch(
      [f("model-versions-get.not-found"), f("registered-models-alias-get.alias-missing"), f("registered-models-alias-get.model-missing")],
      "/mlflow",
    );
    const mlflow = client(replay.fetch);
    expect(await mlflow.getModelVersion("search-reranker", "9")).toBeNull();
    expect(await mlflow.getModelVersionByAlias("search-reranker", "champion")).toBeNull();
    expect(await mlflow.getModelVersionByAlias("unknown-model", "champion")).toBeNull();
    replay.assertDone();
  });

  it("gets a version by alias with its tags", async () => {
    const replay = replayFetch([f("registered-models-alias-get.ok")], "/mlflow");
    const champion = await client(replay.fetch).getModelVersionByAlias("search-reranker", "champion");
    expect(champion).toMatchObject({ version: "2", aliases: ["champion"], tags: { h2o_model_id: "gbm_search_reranker_0" } });
  });

  it("sets and deletes aliases and sets version tags (no stage endpoints)", async () => {
    const replay = replayFetch([f("registered-models-alias-set.ok"), f("registered-models-alias-delete.ok"), f("model-versions-set-tag.ok")], "/mlflow");
    const mlflow = client(replay.fetch);
    await mlflow.setAlias("search-reranker", "candidate", "3");
    await mlflow.deleteAlias("search-reranker", "candidate");
    await mlflow.setModelVersionTag("search-reranker", "3", "autopilot.gate", "passed");
    replay.assertDone();
    expect(replay.calls.some((c) => c.url.pathname.includes("transition-stage") || c.url.pathname.includes("get-latest-versions"))).toBe(false);
  });

  it("searches model versions across pages", async () => {
    const replay = replayFetch([f("model-versions-search.page-1"), f("model-versions-search.page-2")], "/mlflow");
    const versions = await client(replay.fetch).searchModelVersions("name='search-reranker'");
    expect(versions.map((v) => v.version)).toEqual(["2", "3"]);
    replay.assertDone();
  });
});

describe("MlflowClient auth, retries and timeouts", () => {
  it("sends the token as a Bearer header", async () => {
    const replay = replayFetch([f("runs-get.ok")], "/mlflow");
    await client(replay.fetch, { token: TOKEN }).getRun(RUN);
    expect(replay.calls[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("never shows the token in errors, even when the server echoes it", async () => {
    const echo: typeof fetch = async (_input, init) => {
      const auth = (init?.headers as Record<string, string>).authorization;
      return new Response(JSON.stringify({ error_code: "UNAUTHENTICATED", message: `token rejected: ${auth}` }), { status: 401 });
    };
    const error = await caught(client(echo, { token: TOKEN }).getRun(RUN));
    expect(error).toMatchObject({ status: 401, system: "mlflow" });
    const outcome = errorOutcome(error);
    for (const text of [(error as Error).message, (error as UpstreamError).upstreamMessage ?? "", JSON.stringify((error as UpstreamError).details), renderToolOutcome(outcome)]) {
      expect(text).not.toContain(TOKEN);
    }
    expect((error as UpstreamError).upstreamMessage).toBe("UNAUTHENTICATED: token rejected: Bearer [REDACTED]");
  });

  it("never shows the token in the plain-text error of a proxy", async () => {
    const echo: typeof fetch = async (_input, init) => new Response(`bad gateway for ${JSON.stringify(init?.headers)}`, { status: 400 });
    const error = await caught(client(echo, { token: TOKEN }).getRun(RUN));
    expect(JSON.stringify(errorOutcome(error))).not.toContain(TOKEN);
  });

  it("does not retry a 401", async () => {
    const replay = replayFetch([f("runs-get.unauthenticated"), f("runs-get.ok")], "/mlflow");
    const error = await caught(client(replay.fetch).getRun(RUN));
    expect((error as UpstreamError).upstreamMessage).toBe("UNAUTHENTICATED: Invalid or expired token");
    expect(replay.calls).toHaveLength(1);
  });

  it("retries a 500 on GET", async () => {
    const replay = replayFetch([f("runs-get.internal-error"), f("runs-get.ok")], "/mlflow");
    expect((await client(replay.fetch).getRun(RUN)).info.run_id).toBe(RUN);
    replay.assertDone();
  });

  it("does not retry a 500 on a non-idempotent POST (run creation)", async () => {
    const failing = { ...f("runs-create.ok"), response: f("runs-get.internal-error").response };
    const replay = replayFetch([failing, f("runs-create.ok")], "/mlflow");
    const error = await caught(client(replay.fetch).createRun(RUN_INIT));
    expect(error).toMatchObject({ status: 500 });
    expect(replay.calls).toHaveLength(1);
  });

  it("retries a network error on an idempotent POST (alias)", async () => {
    const replay = replayFetch([f("registered-models-alias-set.ok")], "/mlflow");
    let failures = 1;
    const flaky: typeof fetch = async (input, init) => {
      if (failures-- > 0) throw new TypeError("fetch failed: ECONNREFUSED");
      return replay.fetch(input, init);
    };
    await client(flaky).setAlias("search-reranker", "candidate", "3");
    replay.assertDone();
  });

  it("times out a request that never answers", async () => {
    let attempts = 0;
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        attempts++;
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      });
    const error = await caught(client(hanging, { timeoutMs: 20, retries: 2 }).getRun(RUN));
    expect(error).toMatchObject({ code: "upstream_timeout", request: "GET /api/2.0/mlflow/runs/get" });
    expect(attempts).toBe(3);
  });
});
