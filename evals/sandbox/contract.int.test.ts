import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
// The clients' own answer schemas are internal to each client; the contract is checked against them.
import { ApplicationSchema } from "../../tools/argocd/application.js";
import { validationErrors } from "../../tools/h2o/errors.js";
import * as H2o from "../../tools/h2o/schemas.js";
import { MlflowResponseSchemas as Mlflow } from "../../tools/mlflow/client.js";
import { allFixtures, argoError, fixtureFiles, h2oError, jobStatus, loadFixture, mapIds, mlflowError, replay, schema, throughPrometheusClient, type Case, type Replay } from "./testing/contract-replay.js";
import { loadScenario } from "./scenario-files.js";
import { argoOperation, h2oForm, importCsv, rankingRows, registerVersion, startSandbox, trainModel, values, writeCsv, type RunningSandbox } from "./test-support.js";

/**
 * The sandbox answers the recorded requests of every client's fixtures (tools/<system>/fixtures,
 * taken from the API contract reference) the way the real system does: the same status, and a
 * body the client's own zod schema accepts. Requests that refer to objects are replayed after
 * creating those objects; where the sandbox's ids differ from the recorded ones, the case maps
 * them explicitly. Fixtures the sandbox cannot answer are listed with the reason.
 */

const DATA = mkdtempSync(join(tmpdir(), "contract-"));
const DATASETS = join(DATA, "datasets");
const TOPICS = ["electronics", "books", "fashion", "home", "sports", "travel"];
const RUN = "8f3c1e2a9b7d4f60a1c2e3d4f5a6b7c8";
const EXPERIMENT = "483920175301";
const REVISION = "8afbb1d13ee46f8d31438012551e1a919db506c3";
const NO_ALERTMANAGER = "the sandbox has no Alertmanager API: it raises the alerts Alertmanager would straight to the autopilot's webhook";

// ---------------------------------------------------------------------------------------------
// Set-up: the objects recorded requests refer to.

async function mlflowIds(s: RunningSandbox, options: { run?: boolean } = {}): Promise<Record<string, string>> {
  const { body } = await s.json(`/mlflow/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent("autopilot/search-reranker")}`);
  const ids: Record<string, string> = { [EXPERIMENT]: body.experiment.experiment_id };
  if (options.run !== false) {
    const run = await post(s, "/mlflow/api/2.0/mlflow/runs/create", { experiment_id: ids[EXPERIMENT], run_name: "contract" });
    ids[RUN] = run.run.info.run_id;
  }
  return ids;
}

/** Versions 2 and 3 of the scenario's model, as the recorded registry requests assume. */
async function versions(s: RunningSandbox): Promise<void> {
  for (const key of ["gbm_search_reranker_0", "gbm_search_reranker_1"]) await registerVersion(s, key);
}

async function post(s: RunningSandbox, path: string, json: unknown, method = "POST") {
  const res = await s.json(path, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(json) });
  if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The recorded queries ask about a day before the sandbox world's history begins: ask about its own day. */
const WORLD_DAY_WHY = "maps the recorded day (2026-08-01, before the world's history) to the scenario's day, at the same time, once the world has reached it";
async function worldDay(s: RunningSandbox): Promise<Record<string, string>> {
  const day = s.sandbox.scenario.start.slice(0, 10);
  s.clock.advance(Date.parse(`${day}T12:00:00Z`) - s.clock.now().getTime());
  return { "2026-08-01T": `${day}T` };
}

const DATASET_PATH = { "/data/datasets": DATASETS };
const trainFrame = (s: RunningSandbox) => importCsv(s, join(DATASETS, "search-relevance", "train.csv"), "search_relevance_train.hex");
const evalFrame = (s: RunningSandbox) => importCsv(s, join(DATASETS, "search-relevance", "eval.csv"), "search_relevance_eval.hex");
async function trainedModel(s: RunningSandbox): Promise<void> {
  await trainFrame(s);
  const job = await trainModel(s, "search_relevance_train.hex", "gbm_search_reranker_1", 50, 5);
  if (job.status !== "DONE") throw new Error(`training ended ${job.status}`);
}

/** Starts an H2O job and polls it `polls` times; maps the recorded job key to it. */
function job(recordedKey: string, kind: "parse" | "model", polls: number): Replay["setup"] {
  return async (s) => {
    let key: string;
    if (kind === "parse") {
      const imported = await s.json(`/h2o/3/ImportFiles?${new URLSearchParams({ path: join(DATASETS, "search-relevance", "train.csv") })}`);
      const parse = await h2oForm(s, "Parse", { source_frames: JSON.stringify(imported.body.destination_frames), destination_frame: "search_relevance_train.hex", check_header: "1" });
      key = parse.body.job.key.name;
    } else {
      await trainFrame(s);
      const built = await h2oForm(s, "ModelBuilders/gbm", { training_frame: "search_relevance_train.hex", response_column: "label", model_id: "gbm_search_reranker_1" });
      key = built.body.job.key.name;
    }
    for (let i = 0; i < polls; i++) await s.json(`/h2o/3/Jobs/${encodeURIComponent(key)}`);
    return { [recordedKey]: key };
  };
}
const PARSE_JOB = "$03017f00000132d4ffffffff$_8d1c9e2f";
const MODEL_JOB = "$03017f00000132d4ffffffff$_a54f0c11";

/** History entries 2 and 3 of the app, as the recorded rollback assumes. */
async function twoDeploys(s: RunningSandbox): Promise<void> {
  for (const revision of ["rev-2", "rev-3"]) {
    s.gitops.set(revision, values("search-reranker", "1"));
    await argoOperation(s, "sync", { revision });
  }
}

// ---------------------------------------------------------------------------------------------
// Every fixture, by `<system>/<file>`.

const CASES: Record<string, Case> = {
  // Prometheus (section 1)
  "prometheus/query-vector.json": { why: WORLD_DAY_WHY, setup: worldDay, check: throughPrometheusClient },
  "prometheus/query-range-matrix.json": { why: WORLD_DAY_WHY, setup: worldDay, check: throughPrometheusClient },
  "prometheus/query-bad-data-400.json": { check: throughPrometheusClient },
  "prometheus/query-execution-422.json": { notReplayed: "arithmetic between two vectors (`/ on(service)`) is outside the sandbox's PromQL subset (no tool sends it), so the sandbox answers 400 bad_data where Prometheus executes the query" },
  "prometheus/query-scalar.json": { notReplayed: "scalar() is outside the sandbox's PromQL subset (no tool sends it)" },
  "prometheus/query-not-ready-503.json": {
    why: "a Prometheus that is not ready is the sandbox's `down` fault",
    faults: [{ system: "prometheus", kind: "down" }],
    check: async (answer, fixture) => {
      expect(answer.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(answer.headers.get("x-prometheus-stopping")).toBe(fixture.response.headers!["x-prometheus-stopping"]);
      await throughPrometheusClient(answer, fixture);
    },
  },

  // MLflow (section 3)
  "mlflow/experiments-create.ok.json": { notReplayed: "the sandbox seeds experiment autopilot/search-reranker with the champion's run, so creating it answers RESOURCE_ALREADY_EXISTS (replayed as experiments-create.already-exists)" },
  "mlflow/experiments-create.already-exists.json": { check: mlflowError },
  "mlflow/experiments-get-by-name.ok.json": { check: schema(Mlflow.experiment) },
  "mlflow/experiments-get-by-name.not-found.json": { check: mlflowError },
  "mlflow/runs-create.ok.json": { why: "maps the recorded experiment id", setup: (s) => mlflowIds(s, { run: false }), check: schema(Mlflow.run) },
  "mlflow/runs-get.ok.json": { why: "maps the recorded run id to a new run", setup: (s) => mlflowIds(s), check: schema(Mlflow.run) },
  "mlflow/runs-get.internal-error.json": { why: "a failing backend store is the sandbox's `error` fault", faults: [{ system: "mlflow", kind: "error" }], check: mlflowError },
  "mlflow/runs-get.unauthenticated.json": { why: "a sandbox whose MLflow requires a token the request does not carry", sandbox: { mlflowToken: "contract-token" }, check: mlflowError },
  "mlflow/runs-log-batch.ok.json": { why: "maps the recorded run id to a new run", setup: (s) => mlflowIds(s), check: schema(Mlflow.empty) },
  "mlflow/runs-log-batch.param-changed.json": {
    why: "maps the recorded run id to a new run that already logged ntrees=50",
    setup: async (s) => {
      const ids = await mlflowIds(s);
      await post(s, "/mlflow/api/2.0/mlflow/runs/log-batch", { run_id: ids[RUN], params: [{ key: "ntrees", value: "50" }] });
      return ids;
    },
    check: mlflowError,
  },
  "mlflow/runs-update.finished.json": { why: "maps the recorded run id to a new run", setup: (s) => mlflowIds(s), check: schema(Mlflow.runInfo) },
  "mlflow/artifacts-put.ok.json": { why: "maps the recorded experiment and run ids", setup: (s) => mlflowIds(s), check: schema(Mlflow.empty) },
  "mlflow/artifacts-put.not-served.json": { notReplayed: "the sandbox always serves artifacts (there is no --no-serve-artifacts mode)" },
  "mlflow/artifacts-list.ok.json": {
    why: "maps the recorded ids to a new run holding the two listed files",
    setup: async (s) => {
      const ids = await mlflowIds(s);
      for (const file of ["MLmodel", "gbm_search_reranker_1.zip"]) {
        await s.json(`/mlflow/api/2.0/mlflow-artifacts/artifacts/${ids[EXPERIMENT]}/${ids[RUN]}/artifacts/model/${file}`, { method: "PUT", body: "bytes" });
      }
      return ids;
    },
    check: schema(Mlflow.artifacts, (body) => expect(body.files.map((f: { path: string }) => f.path).sort()).toEqual(["MLmodel", "gbm_search_reranker_1.zip"])),
  },
  "mlflow/registered-models-create.ok.json": { notReplayed: "the sandbox seeds registered model search-reranker, so creating it answers RESOURCE_ALREADY_EXISTS (replayed as registered-models-create.already-exists)" },
  "mlflow/registered-models-create.already-exists.json": { check: mlflowError },
  "mlflow/registered-models-get.ok.json": { check: schema(Mlflow.registeredModel) },
  "mlflow/registered-models-alias-get.ok.json": { check: schema(Mlflow.modelVersion) },
  "mlflow/registered-models-alias-get.alias-missing.json": {
    why: "the champion alias is deleted first (the sandbox seeds it)",
    setup: async (s) => void (await post(s, "/mlflow/api/2.0/mlflow/registered-models/alias", { name: "search-reranker", alias: "champion" }, "DELETE")),
    check: mlflowError,
  },
  "mlflow/registered-models-alias-get.model-missing.json": { check: mlflowError },
  "mlflow/registered-models-alias-set.ok.json": { why: "registers versions 2 and 3 first", setup: versions, check: schema(Mlflow.empty) },
  "mlflow/registered-models-alias-delete.ok.json": {
    why: "registers versions 2 and 3 and points the candidate alias at 3 first",
    setup: async (s) => {
      await versions(s);
      await post(s, "/mlflow/api/2.0/mlflow/registered-models/alias", { name: "search-reranker", alias: "candidate", version: "3" });
    },
    check: schema(Mlflow.empty),
  },
  "mlflow/model-versions-create.ok.json": { why: "maps the recorded experiment and run ids", setup: (s) => mlflowIds(s), check: schema(Mlflow.modelVersion) },
  "mlflow/model-versions-get.ready.json": {
    why: "registers versions 2 and 3 first",
    setup: versions,
    check: schema(Mlflow.modelVersion, (body) => expect(body.model_version.status).toBe("READY")),
  },
  "mlflow/model-versions-get.pending.json": { notReplayed: "the sandbox's versions are READY from their first GET, never still PENDING_REGISTRATION (the client's polling is covered by its own tests)" },
  "mlflow/model-versions-get.failed.json": { notReplayed: "the sandbox never fails a registration (FAILED_REGISTRATION)" },
  "mlflow/model-versions-get.not-found.json": { check: mlflowError },
  "mlflow/model-versions-search.page-1.json": { why: "registers versions 2 and 3 first", setup: versions, check: schema(Mlflow.modelVersionSearch) },
  "mlflow/model-versions-search.page-2.json": {
    why: "registers versions 2 and 3 first; the recorded page token is MLflow's own (base64 of {\"offset\": 1})",
    setup: versions,
    check: schema(Mlflow.modelVersionSearch, (body) => expect(body.model_versions.map((v: { version: string }) => v.version)).toEqual(["2", "1"])),
  },
  "mlflow/model-versions-set-tag.ok.json": { why: "registers versions 2 and 3 first", setup: versions, check: schema(Mlflow.empty) },

  // Argo CD (section 4)
  "argocd/get-application.json": { check: schema(ApplicationSchema) },
  "argocd/get-application-403-not-found.json": { check: argoError },
  "argocd/sync-accepted.json": {
    why: "the recorded revision is committed to the sandbox's GitOps repository first",
    setup: async (s) => void s.gitops.set(REVISION, values("search-reranker", "1", { version: "1", weight: 20 })),
    check: schema(ApplicationSchema, (body) => {
      expect(body.operation).toMatchObject({ sync: { revision: REVISION } });
      expect(body.status.operationState.phase).toBe("Running");
    }),
  },
  "autopilot/rolled-back-report.json": { notReplayed: "a cycle report the autopilot's own store holds (its tools read it for the digest); no system the sandbox simulates answers with it" },
  "argocd/sync-operation-in-progress-400.json": {
    why: "a first sync to the recorded revision is still running",
    setup: async (s) => {
      s.gitops.set(REVISION, values("search-reranker", "1", { version: "1", weight: 20 }));
      await post(s, "/argocd/api/v1/applications/search/sync", { revision: REVISION });
    },
    check: (answer, fixture) => {
      argoError(answer, fixture);
      expect((answer.body as { message: string }).message).toContain("another operation is already in progress");
    },
  },
  "argocd/rollback.json": { why: "two deploys first, so history entries 2 and 3 exist", setup: twoDeploys, check: schema(ApplicationSchema) },

  // H2O-3 (section 5)
  "h2o/cloud.ok.json": { check: schema(H2o.H2oCloudSchema) },
  "h2o/cloud.server-error.json": { why: "a failing node is the sandbox's `error` fault", faults: [{ system: "h2o", kind: "error" }], check: h2oError },
  "h2o/import-files.ok.json": { why: "maps the recorded server-side directory to a local one holding the dataset", setup: async () => DATASET_PATH, check: schema(H2o.H2oImportFilesSchema) },
  "h2o/import-files.missing.json": { check: h2oError },
  "h2o/parse-setup.ok.json": {
    why: "imports the file first (recorded directory mapped)",
    setup: async (s) => {
      await s.json(`/h2o/3/ImportFiles?${new URLSearchParams({ path: join(DATASETS, "search-relevance", "train.csv") })}`);
      return DATASET_PATH;
    },
    check: schema(H2o.H2oParseSetupSchema),
  },
  "h2o/parse.ok.json": {
    why: "imports the file first (recorded directory mapped)",
    setup: async (s) => {
      await s.json(`/h2o/3/ImportFiles?${new URLSearchParams({ path: join(DATASETS, "search-relevance", "train.csv") })}`);
      return DATASET_PATH;
    },
    check: schema(H2o.H2oParseSchema),
  },
  "h2o/jobs.parse-running.json": { why: "maps the recorded job key to a new parse job", setup: job(PARSE_JOB, "parse", 0), check: jobStatus },
  "h2o/jobs.parse-done.json": { why: "maps the recorded job key to a parse job polled once", setup: job(PARSE_JOB, "parse", 1), check: jobStatus },
  "h2o/jobs.model-running.json": { why: "maps the recorded job key to a new model build", setup: job(MODEL_JOB, "model", 0), check: jobStatus },
  "h2o/jobs.model-done.json": { why: "maps the recorded job key to a model build polled once", setup: job(MODEL_JOB, "model", 1), check: jobStatus },
  "h2o/jobs.model-failed.json": {
    why: "maps the recorded job key to a build polled once, in a world whose training fails",
    world: (scenario) => ({ ...scenario, training: { ...scenario.training, fails: true } }),
    setup: job(MODEL_JOB, "model", 1),
    check: jobStatus,
  },
  "h2o/jobs.model-cancelled.json": { notReplayed: "the sandbox has no POST /3/Jobs/{key}/cancel, so no job ends CANCELLED" },
  "h2o/model-builders.ok.json": { why: "parses the training frame first", setup: async (s) => void (await trainFrame(s)), check: schema(H2o.H2oModelBuilderSchema, (body) => expect(body.job.dest.name).toBe("gbm_search_reranker_1")) },
  "h2o/model-builders.invalid.json": {
    why: "parses the training frame first",
    setup: async (s) => void (await trainFrame(s)),
    check: (answer, fixture) => {
      h2oError(answer, fixture);
      const fields = validationErrors((answer.body as { messages: unknown }).messages).map((m) => m.field_name?.replace(/^_/, ""));
      expect(fields.sort()).toEqual(["max_depth", "response_column"]);
    },
  },
  "h2o/models-get.ok.json": { why: "trains the model first", setup: trainedModel, check: schema(H2o.H2oModelsSchema) },
  "h2o/models-get.not-found.json": { check: h2oError },
  "h2o/models-mojo.ok.json": { why: "trains the model first", setup: trainedModel, check: (answer) => expect(answer.text.startsWith("PK\u0003\u0004")).toBe(true) },
  "h2o/models-delete.ok.json": { why: "trains the model first", setup: trainedModel, check: (answer) => expect(answer.body).toMatchObject({ model_id: { name: "gbm_search_reranker_1" } }) },
  "h2o/predictions.ok.json": {
    why: "trains the model and parses the evaluation frame first",
    setup: async (s) => {
      await trainedModel(s);
      await evalFrame(s);
    },
    check: schema(H2o.H2oPredictionsSchema),
  },
  "h2o/frames-get.mixed.json": { why: "parses the evaluation frame first", setup: async (s) => void (await evalFrame(s)), check: schema(H2o.H2oFramesSchema) },
  "h2o/frames-get.predictions.json": {
    why: "trains the model and predicts the evaluation frame first",
    setup: async (s) => {
      await trainedModel(s);
      await evalFrame(s);
      await h2oForm(s, "Predictions/models/gbm_search_reranker_1/frames/search_relevance_eval.hex", { predictions_frame: "pred_gbm_search_reranker_1" });
    },
    check: schema(H2o.H2oFramesSchema, (body) => expect(body.frames[0].columns.map((c: { label: string }) => c.label)).toContain("predict")),
  },
  "h2o/frames-delete.ok.json": { why: "parses the evaluation frame first", setup: async (s) => void (await evalFrame(s)), check: (answer) => expect(answer.body).toMatchObject({ frame_id: { name: "search_relevance_eval.hex" } }) },
};

// The sandbox speaks no Alertmanager API; its fixtures are the Alertmanager client's alone.
for (const file of fixtureFiles("alertmanager")) CASES[`alertmanager/${file}`] = { notReplayed: NO_ALERTMANAGER };

let s: RunningSandbox | undefined;
beforeAll(() => {
  mkdirSync(join(DATASETS, "search-relevance"), { recursive: true });
  writeCsv(join(DATASETS, "search-relevance", "train.csv"), rankingRows({ topics: TOPICS, queries: 2, source: "base", prefix: "t" }));
  writeCsv(join(DATASETS, "search-relevance", "eval.csv"), rankingRows({ topics: TOPICS, queries: 2, source: "base", prefix: "e" }));
});
afterEach(async () => {
  await s?.close();
  s = undefined;
});
afterAll(() => rmSync(DATA, { recursive: true, force: true }));

describe("the sandbox against the clients' recorded fixtures", () => {
  it("classifies every fixture of every client: replayed, or listed with the reason", () => {
    expect(Object.keys(CASES).sort()).toEqual(allFixtures());
    for (const [key, c] of Object.entries(CASES)) if ("notReplayed" in c) expect(c.notReplayed.length, key).toBeGreaterThan(20);
  });

  const replayed = Object.entries(CASES).filter((e): e is [string, Replay] => !("notReplayed" in e[1]));
  it.each(replayed)("%s", async (key, c) => {
    const fixture = loadFixture(key);
    const system = key.split("/")[0]!;
    const base = loadScenario("ndcg-drop");
    s = await startSandbox({ ...(c.world?.(base) ?? base), faults: c.faults ?? [] }, c.sandbox);
    const ids = (await c.setup?.(s)) ?? {};
    const answer = await replay(s, system, mapIds(fixture.request, ids));
    expect(answer.status, `${key}: ${answer.text.slice(0, 300)}`).toBe(fixture.response.status);
    await c.check(answer, fixture);
  });
});
