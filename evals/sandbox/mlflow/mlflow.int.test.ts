import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type RunningSandbox } from "../test-support.js";

let s: RunningSandbox;
const API = "/mlflow/api/2.0/mlflow";

function post(path: string, body: unknown, method = "POST") {
  return s.json(`${API}${path}`, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}
function get(path: string, query: Record<string, string> = {}) {
  return s.json(`${API}${path}?${new URLSearchParams(query)}`);
}

beforeAll(async () => {
  s = await startSandbox("ndcg-drop");
});
afterAll(() => s.close());

describe("the seeded champion", () => {
  it("is registered, READY, tagged and aliased", async () => {
    const { status, body } = await get("/registered-models/alias", { name: "search-reranker", alias: "champion" });
    expect(status).toBe(200);
    const version = body.model_version;
    expect(version).toMatchObject({ name: "search-reranker", version: "1", status: "READY", aliases: ["champion"] });
    expect(version.tags).toEqual(expect.arrayContaining([{ key: "h2o_model_id", value: "search-reranker-v1" }, { key: "autopilot.gate", value: "passed" }]));
    const run = (await get("/runs/get", { run_id: version.run_id })).body.run;
    expect(run.info.status).toBe("FINISHED");
    expect(run.data.metrics).toEqual(expect.arrayContaining([expect.objectContaining({ key: "ndcg_at_10", value: 0.72 })]));
    const experiment = (await get("/experiments/get", { experiment_id: run.info.experiment_id })).body.experiment;
    expect(experiment.name).toBe("autopilot/search-reranker");
    expect(version.source).toBe(`${run.info.artifact_uri}/model`);
  });
});

describe("tracking", () => {
  it("creates an experiment if missing: 400 RESOURCE_ALREADY_EXISTS, then get-by-name", async () => {
    const again = await post("/experiments/create", { name: "autopilot/search-reranker" });
    expect(again.status).toBe(400);
    expect(again.body.error_code).toBe("RESOURCE_ALREADY_EXISTS");
    const byName = await get("/experiments/get-by-name", { experiment_name: "autopilot/search-reranker" });
    expect(byName.status).toBe(200);
    const created = await post("/experiments/create", { name: "scratch" });
    expect(created.body.experiment_id).toMatch(/^\d+$/);
    const missing = await get("/experiments/get-by-name", { experiment_name: "nope" });
    expect(missing).toMatchObject({ status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST" } });
    const search = await post("/experiments/search", { filter: "name LIKE 'autopilot/%'", max_results: 10 });
    expect(search.body.experiments.map((e: { name: string }) => e.name)).toEqual(["autopilot/search-reranker"]);
  });

  it("logs a run with log-batch, log-metric, log-parameter and set-tag, then finds it", async () => {
    const experimentId = (await get("/experiments/get-by-name", { experiment_name: "autopilot/search-reranker" })).body.experiment.experiment_id;
    const { body } = await post("/runs/create", { experiment_id: experimentId, run_name: "candidate", start_time: 1_000, tags: [{ key: "autopilot.cycle", value: "si_2026_11_20_001" }] });
    const runId: string = body.run.info.run_id;
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    expect(body.run.info).toMatchObject({ status: "RUNNING", run_name: "candidate", artifact_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts` });
    expect(
      (
        await post("/runs/log-batch", {
          run_id: runId,
          metrics: [
            { key: "ndcg_at_10", value: 0.7, timestamp: 1, step: 0 },
            { key: "ndcg_at_10", value: 0.75, timestamp: 2, step: 1 },
          ],
          params: [{ key: "ntrees", value: "100" }],
          tags: [{ key: "h2o_model_id", value: "GBM_1" }],
        })
      ).body,
    ).toEqual({});
    await post("/runs/log-metric", { run_id: runId, key: "recall_at_20", value: 0.9, timestamp: 3 });
    await post("/runs/log-parameter", { run_id: runId, key: "max_depth", value: "6" });
    await post("/runs/set-tag", { run_id: runId, key: "h2o_model_id", value: "GBM_2" });
    const changed = await post("/runs/log-parameter", { run_id: runId, key: "ntrees", value: "200" });
    expect(changed).toMatchObject({ status: 400, body: { error_code: "INVALID_PARAMETER_VALUE" } });
    const same = await post("/runs/log-parameter", { run_id: runId, key: "ntrees", value: "100" });
    expect(same.status).toBe(200);
    const updated = await post("/runs/update", { run_id: runId, status: "FINISHED", end_time: 5_000 });
    expect(updated.body.run_info).toMatchObject({ status: "FINISHED", end_time: 5_000 });

    const run = (await get("/runs/get", { run_id: runId })).body.run;
    expect(run.data.metrics).toEqual(expect.arrayContaining([{ key: "ndcg_at_10", value: 0.75, timestamp: 2, step: 1 }]));
    expect(run.data.params).toEqual(expect.arrayContaining([{ key: "ntrees", value: "100" }, { key: "max_depth", value: "6" }]));
    expect(run.data.tags).toEqual(expect.arrayContaining([{ key: "h2o_model_id", value: "GBM_2" }, { key: "mlflow.runName", value: "candidate" }]));

    const found = await post("/runs/search", { experiment_ids: [experimentId], filter: "metrics.ndcg_at_10 > 0.74 and params.ntrees = '100'", order_by: ["start_time DESC"] });
    expect(found.body.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual([runId]);
    const byTag = await post("/runs/search", { experiment_ids: [experimentId], filter: "tags.h2o_model_id = 'search-reranker-v1'" });
    expect(byTag.body.runs).toHaveLength(1);
    const none = await post("/runs/search", { experiment_ids: [experimentId], filter: "metrics.ndcg_at_10 > 0.9" });
    expect(none.body.runs).toBeUndefined();
    expect((await get("/runs/get", { run_id: "0".repeat(32) })).status).toBe(404);
  });

  it("stores artifacts through the proxy: PUT, GET, list", async () => {
    const experimentId = (await get("/experiments/get-by-name", { experiment_name: "autopilot/search-reranker" })).body.experiment.experiment_id;
    const run = (await post("/runs/create", { experiment_id: experimentId })).body.run;
    const root = (run.info.artifact_uri as string).replace("mlflow-artifacts:/", "");
    const bytes = new Uint8Array([0x50, 0x4b, 3, 4, 0, 255]);
    const put = await fetch(`${s.url}/mlflow/api/2.0/mlflow-artifacts/artifacts/${root}/model/model.zip`, { method: "PUT", body: bytes });
    expect(put.status).toBe(200);
    await fetch(`${s.url}/mlflow/api/2.0/mlflow-artifacts/artifacts/${root}/eval%20report.json`, { method: "PUT", body: "{}" });
    const back = await fetch(`${s.url}/mlflow/api/2.0/mlflow-artifacts/artifacts/${root}/model/model.zip`);
    expect(new Uint8Array(await back.arrayBuffer())).toEqual(bytes);
    const list = await s.json(`/mlflow/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(root)}`);
    expect(list.body.files).toEqual([
      { path: "eval report.json", is_dir: false, file_size: 2 },
      { path: "model", is_dir: true },
    ]);
    const tracked = await get("/artifacts/list", { run_id: run.info.run_id, path: "model" });
    expect(tracked.body).toEqual({ root_uri: run.info.artifact_uri, files: [{ path: "model/model.zip", is_dir: false, file_size: 6 }] });
    const missing = await fetch(`${s.url}/mlflow/api/2.0/mlflow-artifacts/artifacts/${root}/nothing.bin`);
    expect(missing.status).toBe(404);
  });
});

describe("model registry", () => {
  it("creates versions PENDING_REGISTRATION, READY on a later get, and searches them", async () => {
    expect((await post("/registered-models/create", { name: "search-reranker" })).body.error_code).toBe("RESOURCE_ALREADY_EXISTS");
    const created = await post("/model-versions/create", { name: "search-reranker", source: "mlflow-artifacts:/1/abc/artifacts/model", run_id: "abc", tags: [{ key: "h2o_model_id", value: "GBM_1" }] });
    expect(created.body.model_version).toMatchObject({ version: "2", status: "PENDING_REGISTRATION" });
    const later = await get("/model-versions/get", { name: "search-reranker", version: "2" });
    expect(later.body.model_version).toMatchObject({ version: "2", status: "READY", tags: [{ key: "h2o_model_id", value: "GBM_1" }], aliases: [] });
    await post("/model-versions/set-tag", { name: "search-reranker", version: "2", key: "autopilot.gate", value: "failed" });
    const updated = await post("/model-versions/update", { name: "search-reranker", version: "2", description: "candidate" }, "PATCH");
    expect(updated.body.model_version).toMatchObject({ description: "candidate" });
    const search = await get("/model-versions/search", { filter: "name='search-reranker'" });
    expect(search.body.model_versions.map((v: { version: string }) => v.version)).toEqual(["2", "1"]);
    const byTag = await get("/model-versions/search", { filter: "name='search-reranker' and tags.autopilot.gate='failed'" });
    expect(byTag.body.model_versions.map((v: { version: string }) => v.version)).toEqual(["2"]);
    const model = await get("/registered-models/get", { name: "search-reranker" });
    expect(model.body.registered_model).toMatchObject({ latest_versions: [expect.objectContaining({ version: "2" })], aliases: [{ alias: "champion", version: "1" }] });
    const models = await get("/registered-models/search", { filter: "name LIKE 'search%'" });
    expect(models.body.registered_models).toHaveLength(1);
    const bad = await post("/model-versions/create", { name: "search-reranker", source: "../../etc/passwd" });
    expect(bad).toMatchObject({ status: 400, body: { error_code: "INVALID_PARAMETER_VALUE" } });
    expect((await get("/model-versions/get", { name: "search-reranker", version: "9" })).body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("sets, reads and deletes aliases", async () => {
    await post("/model-versions/create", { name: "search-reranker", source: "mlflow-artifacts:/1/def/artifacts/model" });
    expect((await post("/registered-models/alias", { name: "search-reranker", alias: "candidate", version: "3" })).body).toEqual({});
    expect((await get("/registered-models/alias", { name: "search-reranker", alias: "candidate" })).body.model_version).toMatchObject({ version: "3", aliases: ["candidate"] });
    await post("/registered-models/alias", { name: "search-reranker", alias: "candidate", version: "2" });
    expect((await get("/registered-models/alias", { name: "search-reranker", alias: "candidate" })).body.model_version.version).toBe("2");
    expect((await post("/registered-models/alias", { name: "search-reranker", alias: "x", version: "99" })).status).toBe(404);
    await post("/registered-models/alias", { name: "search-reranker", alias: "candidate" }, "DELETE");
    const gone = await get("/registered-models/alias", { name: "search-reranker", alias: "candidate" });
    // MLflow's registry stores raise INVALID_PARAMETER_VALUE for an alias that is not set (a 400).
    expect(gone).toMatchObject({ status: 400, body: { error_code: "INVALID_PARAMETER_VALUE", message: "Registered model alias candidate not found." } });
  });

  it("answers unknown routes with a bare 404", async () => {
    const response = await fetch(`${s.url}${API}/registered-models/nothing`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("");
  });
});
