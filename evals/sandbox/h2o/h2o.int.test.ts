import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenario } from "../scenario-files.js";
import {
  argoOperation,
  DATASET_COLUMNS,
  h2oForm,
  importCsv,
  pollJob,
  rankingRows,
  registerVersion,
  startSandbox,
  trainModel,
  values,
  writeCsv,
  type RunningSandbox,
} from "../test-support.js";

const TOPICS = ["electronics", "books", "fashion", "home", "sports", "travel"];
const dir = mkdtempSync(join(tmpdir(), "h2o-test-"));
let s: RunningSandbox;

/** NDCG@10 with gain 2^label - 1, averaged over queries with a relevant document (written here independently of the sandbox). */
function ndcg(queries: string[], labels: number[], scores: number[], keep: (i: number) => boolean): number {
  const byQuery = new Map<string, number[]>();
  queries.forEach((q, i) => keep(i) && byQuery.set(q, [...(byQuery.get(q) ?? []), i]));
  const dcg = (ls: number[]) => ls.slice(0, 10).reduce((sum, l, r) => sum + (2 ** l - 1) / Math.log2(r + 2), 0);
  const values: number[] = [];
  for (const rows of byQuery.values()) {
    const ideal = dcg(rows.map((i) => labels[i]!).sort((a, b) => b - a));
    if (ideal === 0) continue;
    values.push(dcg([...rows].sort((a, b) => scores[b]! - scores[a]! || a - b).map((i) => labels[i]!)) / ideal);
  }
  return values.reduce((a, b) => a + b, 0) / values.length;
}

async function column(frame: string, rows: number, label: string): Promise<(number | string)[]> {
  const { body } = await s.json(`/h2o/3/Frames/${encodeURIComponent(frame)}?row_count=${rows}`);
  const col = body.frames[0].columns.find((c: { label: string }) => c.label === label);
  if (col.type === "enum") return col.data.map((i: number) => col.domain[i]);
  return col.string_data ?? col.data;
}

beforeAll(async () => {
  s = await startSandbox("ndcg-drop");
  mkdirSync(join(dir, "base"));
  mkdirSync(join(dir, "augmented"));
  const base = rankingRows({ topics: TOPICS, queries: 4, source: "base", prefix: "t" });
  writeCsv(join(dir, "base", "train.csv"), base);
  // 8 queries x 30 documents = 240 augmented rows on each weak topic, over the 200 the scenario needs.
  writeCsv(join(dir, "augmented", "train.csv"), [...base, ...rankingRows({ topics: ["travel", "sports"], queries: 8, source: "augmented", prefix: "a" })]);
  writeCsv(join(dir, "eval.csv"), rankingRows({ topics: TOPICS, queries: 20, source: "base", prefix: "e" }));
});
afterAll(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("H2O flow", () => {
  it("reports a healthy cloud", async () => {
    const { body } = await s.json("/h2o/3/Cloud");
    expect(body.cloud_healthy && body.consensus).toBe(true);
    expect(body.__meta.schema_name).toBe("CloudV3");
  });

  it("imports a real CSV, guesses its setup, parses it through a job and serves the frame", async () => {
    const path = join(dir, "augmented", "train.csv");
    const imported = await s.json(`/h2o/3/ImportFiles?${new URLSearchParams({ path })}`);
    expect(imported.body).toMatchObject({ files: [path], destination_frames: [`nfs:/${path}`], fails: [] });
    const missing = await s.json(`/h2o/3/ImportFiles?${new URLSearchParams({ path: join(dir, "nope.csv") })}`);
    // H2O's PersistNFS throws H2ONotFoundArgumentException for a path that does not exist: a 404, not a `fails` entry.
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ __meta: { schema_name: "H2OErrorV3" }, http_status: 404, msg: `File ${join(dir, "nope.csv")} does not exist` });

    const setup = await h2oForm(s, "ParseSetup", { source_frames: `["nfs:/${path}"]` });
    expect(setup.body.column_names).toEqual(DATASET_COLUMNS);
    expect(setup.body.column_types).toEqual(["Enum", "Enum", "Enum", "String", "Numeric", "Numeric", "Numeric", "Numeric", "Numeric", "Enum"]);
    expect(setup.body.destination_frame).toBe("train.hex");

    const parse = await h2oForm(s, "Parse", { source_frames: `["nfs:/${path}"]`, destination_frame: "train_aug.hex", column_names: JSON.stringify(setup.body.column_names), column_types: JSON.stringify(setup.body.column_types) });
    const key = parse.body.job.key.name as string;
    expect(key).toContain("$");
    expect((await s.json(`/h2o/3/Jobs/${encodeURIComponent(key)}`)).body.jobs[0].status).toBe("RUNNING");
    const done = (await s.json(`/h2o/3/Jobs/${encodeURIComponent(key)}`)).body.jobs[0];
    expect(done).toMatchObject({ status: "DONE", progress: 1, dest: { name: "train_aug.hex" } });

    const { body } = await s.json("/h2o/3/Frames/train_aug.hex?row_count=3&row_offset=1");
    const frame = body.frames[0];
    expect(frame).toMatchObject({ rows: 6 * 4 * 30 + 2 * 8 * 30, row_count: 3, row_offset: 1, num_columns: 10 });
    const byLabel = Object.fromEntries(frame.columns.map((c: { label: string }) => [c.label, c]));
    expect(byLabel.topic).toMatchObject({ type: "enum", domain: ["books", "electronics", "fashion", "home", "sports", "travel"], data: [1, 1, 1], string_data: null });
    expect(byLabel.doc_id).toMatchObject({ type: "string", data: null, string_data: ["doc-t-electronics-0-1", "doc-t-electronics-0-2", "doc-t-electronics-0-3"] });
    expect(byLabel.label.type).toBe("int");
    expect(byLabel.label.data).toHaveLength(3);
    expect(byLabel.query.domain).toContain("best travel, query 0"); // quoted field with a comma
    expect((await s.json("/h2o/3/Frames/train_aug.hex")).body.frames[0].row_count).toBe(100);
  });

  it("rejects model builds without a training frame or response column (412)", async () => {
    const noFrame = await h2oForm(s, "ModelBuilders/gbm", { response_column: "label" });
    expect(noFrame.status).toBe(412);
    expect(noFrame.body).toMatchObject({ __meta: { schema_name: "H2OModelBuilderErrorV3" }, http_status: 412, error_count: 1, messages: [{ message_type: "ERRR", field_name: "training_frame", message: "Missing training frame" }] });
    const noResponse = await h2oForm(s, "ModelBuilders/gbm", { training_frame: "train_aug.hex" });
    expect(noResponse.status).toBe(412);
    expect(noResponse.body.messages[0]).toMatchObject({ field_name: "response_column", message: "Response column parameter not set." });
    // Every invalid parameter is reported at once, as H2O's error_count does.
    const several = await h2oForm(s, "ModelBuilders/gbm", { training_frame: "train_aug.hex", response_column: "relevance", ntrees: "0", max_depth: "-1" });
    expect(several.status).toBe(412);
    expect(several.body.error_count).toBe(3);
    expect(several.body.messages.map((m: { field_name: string }) => m.field_name)).toEqual(["response_column", "ntrees", "max_depth"]);
    const unknown = await h2oForm(s, "ModelBuilders/gbm", { training_frame: "nothing.hex", response_column: "label" });
    expect(unknown).toMatchObject({ status: 404, body: { __meta: { schema_name: "H2OErrorV3" }, http_status: 404 } });
    expect((await h2oForm(s, "ModelBuilders/deeplearning", {})).status).toBe(404);
  });

  it("builds a model through a polled job and describes it", async () => {
    const built = await h2oForm(s, "ModelBuilders/gbm", { training_frame: "train_aug.hex", response_column: "label", model_id: "candidate_gbm", ntrees: "120", max_depth: "5" });
    expect(built.status).toBe(200);
    const key = built.body.job.key.name as string;
    expect((await s.json(`/h2o/3/Jobs/${encodeURIComponent(key)}`)).body.jobs[0]).toMatchObject({ status: "RUNNING", dest: { name: "candidate_gbm", type: "Key<Model>" } });
    expect((await s.json("/h2o/3/Models/candidate_gbm")).status).toBe(404);
    expect((await pollJob(s, key)).status).toBe("DONE");
    const model = (await s.json("/h2o/3/Models/candidate_gbm")).body.models[0];
    expect(model).toMatchObject({ algo: "gbm", response_column_name: "label", have_mojo: true, model_id: { name: "candidate_gbm" } });
    const summary = model.output.model_summary;
    const col = (name: string) => summary.data[summary.columns.findIndex((c: { name: string }) => c.name === name)][0];
    expect([col("number_of_trees"), col("max_depth")]).toEqual([120, 5]);
    expect(Number(model.output.training_metrics.RMSE)).toBeGreaterThan(0);
    const mojo = new Uint8Array(await (await fetch(`${s.url}/h2o/3/Models/candidate_gbm/mojo`)).arrayBuffer());
    expect([...mojo.slice(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    const champion = (await s.json("/h2o/3/Models/search-reranker-v1")).body.models[0].output.model_summary;
    expect(champion.data[1][0]).toBe(100);
    expect(champion.data[5][0]).toBe(6);
  });

  it("scores better offline with a model trained on augmented weak topics, tracking world quality", async () => {
    await importCsv(s, join(dir, "base", "train.csv"), "train_base.hex");
    await trainModel(s, "train_base.hex", "base_gbm");
    await trainModel(s, "train_aug.hex", "aug_gbm");
    s.clock.advance(20 * 60_000); // after the corpus shift
    await importCsv(s, join(dir, "eval.csv"), "eval.hex");
    const rows = 6 * 20 * 30;
    const queries = (await column("eval.hex", rows, "query_id")).map(String);
    const topics = (await column("eval.hex", rows, "topic")).map(String);
    const labels = (await column("eval.hex", rows, "label")).map(Number);
    const offline: Record<string, Record<string, number>> = {};
    for (const model of ["search-reranker-v1", "base_gbm", "aug_gbm"]) {
      const predicted = await h2oForm(s, `Predictions/models/${model}/frames/eval.hex`, { predictions_frame: `pred_${model}` });
      expect(predicted.status).toBe(200);
      expect(predicted.body.predictions_frame.name).toBe(`pred_${model}`);
      expect(predicted.body.model_metrics[0].nobs).toBe(rows);
      const scores = (await column(`pred_${model}`, rows, "predict")).map(Number);
      offline[model] = Object.fromEntries([...TOPICS.map((t) => [t, ndcg(queries, labels, scores, (i) => topics[i] === t)]), ["all", ndcg(queries, labels, scores, () => true)]]);
    }
    const champion = offline["search-reranker-v1"]!;
    const augmented = offline.aug_gbm!;
    expect(augmented.all).toBeGreaterThan(champion.all! * 1.03);
    for (const topic of ["travel", "sports"]) expect(augmented[topic]).toBeGreaterThan(champion[topic]! * 1.15);
    for (const topic of ["books", "home"]) expect(augmented[topic]).toBe(champion[topic]);
    expect(offline.base_gbm!.travel).toBe(champion.travel); // without augmented rows the weak topics stay weak
    // Offline tracks the world: 0.72 unshifted, 0.72 * 0.82 shifted, 0.72 * 1.04 recovered.
    expect(Math.abs(champion.books! / 0.72 - 1)).toBeLessThan(0.03);
    expect(Math.abs(champion.travel! / (0.72 * 0.82) - 1)).toBeLessThan(0.03);
    expect(Math.abs(augmented.travel! / (0.72 * 1.04) - 1)).toBeLessThan(0.03);
  });

  it("raises online NDCG once the trained model is deployed", async () => {
    const topic = async () => {
      const { body } = await s.json(`/prometheus/api/v1/query?query=${encodeURIComponent('search_topic:ndcg_at_10{topic="travel"}')}`);
      return Number(body.data.result[0].value[1]);
    };
    const before = await topic();
    const version = await registerVersion(s, "aug_gbm");
    s.gitops.set("rev-2", values("search-reranker", version));
    const app = await argoOperation(s, "sync", { revision: "rev-2" });
    expect(app.status.health.status).toBe("Healthy");
    s.clock.advance(5 * 60_000);
    const after = await topic();
    expect(before).toBeCloseTo(0.72 * 0.82, 2);
    expect(after).toBeCloseTo(0.72 * 1.04, 2);
    const state = (await s.json("/control/state")).body;
    expect(state.serving.champion).toEqual({ version, model: "aug_gbm" });
    expect(state.models.find((m: { key: string }) => m.key === "aug_gbm").covered_topics).toEqual(["sports", "travel"]);
  });

  it("deletes frames and models, then answers 404 H2OErrorV3", async () => {
    expect((await s.json("/h2o/3/Frames/pred_base_gbm", { method: "DELETE" })).status).toBe(200);
    const frame = await s.json("/h2o/3/Frames/pred_base_gbm");
    expect(frame).toMatchObject({ status: 404, body: { __meta: { schema_name: "H2OErrorV3" }, http_status: 404 } });
    expect((await s.json("/h2o/3/Models/base_gbm", { method: "DELETE" })).status).toBe(200);
    expect((await s.json("/h2o/3/Models/base_gbm")).status).toBe(404);
    expect((await s.json(`/h2o/3/Jobs/${encodeURIComponent("$nope")}`)).status).toBe(404);
    expect((await s.json("/h2o/3/NoSuchThing")).body.msg).toContain("/3/NoSuchThing");
  });
});

describe("H2O with failing training", () => {
  it("fails the job with an exception and creates no model", async () => {
    const scenario = loadScenario("ndcg-drop");
    const failing = await startSandbox({ ...scenario, training: { ...scenario.training, fails: true } });
    try {
      await importCsv(failing, join(dir, "base", "train.csv"), "train.hex");
      const built = await h2oForm(failing, "ModelBuilders/gbm", { training_frame: "train.hex", response_column: "label", model_id: "doomed" });
      const key = built.body.job.key.name as string;
      expect((await failing.json(`/h2o/3/Jobs/${encodeURIComponent(key)}`)).body.jobs[0].status).toBe("RUNNING");
      const job = (await failing.json(`/h2o/3/Jobs/${encodeURIComponent(key)}`)).body.jobs[0];
      expect(job.status).toBe("FAILED");
      expect(job.exception).toMatch(/RuntimeException/);
      expect((await failing.json("/h2o/3/Models/doomed")).status).toBe(404);
    } finally {
      await failing.close();
    }
  });
});
