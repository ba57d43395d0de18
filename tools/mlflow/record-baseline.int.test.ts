import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSandbox, type RunningSandbox } from "../../evals/sandbox/test-support.js";
import { testToolContext } from "../h2o/testing/tool-context.js";
import { MlflowClient } from "./client.js";
import { GOLD_ALIAS, STABLE_TAG } from "./baseline.js";
import { mlflowListBaselines } from "./list-baselines.js";
import { mlflowRecordBaseline } from "./record-baseline.js";

let s: RunningSandbox;
let mlflow: MlflowClient;
const MODEL = "search-reranker";

/** Registers a version whose run logged `eval_ndcg_at_10 = ndcg` (no metric when null). */
async function version(ndcg: number | null): Promise<string> {
  const experiment = await mlflow.getOrCreateExperiment("baseline-test");
  const run = await mlflow.createRun({ experimentId: experiment });
  if (ndcg !== null) await mlflow.logBatch(run.info.run_id, { metrics: { eval_ndcg_at_10: ndcg } });
  const mv = await mlflow.createModelVersion({ name: MODEL, source: `${run.info.artifact_uri}/model`, runId: run.info.run_id });
  return mv.version;
}

async function record(v: string) {
  const ctx = testToolContext({ mlflow }, { clock: s.clock });
  return mlflowRecordBaseline.run(mlflowRecordBaseline.input.parse({ model_name: MODEL, version: v }), ctx);
}

beforeEach(async () => {
  s = await startSandbox("ndcg-drop");
  mlflow = new MlflowClient({ baseUrl: s.urls.mlflow, clock: s.clock });
  await mlflow.ensureRegisteredModel(MODEL);
});
afterEach(() => s.close());

describe("mlflow_record_baseline and mlflow_list_baselines (against the sandbox's MLflow API)", () => {
  it("marks the version stable and makes the first recorded quality gold", async () => {
    const v = await version(0.71);
    const out = await record(v);
    expect(out).toMatchObject({ status: "success", data: { version: v, stable: true, gold: true, value: 0.71, metric: "ndcg_at_10" } });
    const mv = (await mlflow.getModelVersion(MODEL, v))!;
    expect(mv.tags[STABLE_TAG]).toBe("true");
    expect(mv.tags["autopilot.stable_cycle"]).toBe("si_2026_01_01_001");
    expect((await mlflow.getModelVersionByAlias(MODEL, GOLD_ALIAS))!.version).toBe(v);
  });

  it("moves gold only to a version that beats every stable one, and keeps it otherwise", async () => {
    const best = await version(0.74);
    await record(best);
    const worse = await version(0.72);
    const kept = await record(worse);
    expect(kept).toMatchObject({ status: "success", data: { gold: false, best_before: { version: best, value: 0.74 }, previous_gold: best } });
    expect(kept.summary).toContain(`gold stays v${best}`);
    expect((await mlflow.getModelVersionByAlias(MODEL, GOLD_ALIAS))!.version).toBe(best);
    // The worse version is still a stable rollback target.
    expect((await mlflow.getModelVersion(MODEL, worse))!.tags[STABLE_TAG]).toBe("true");

    const better = await version(0.76);
    const moved = await record(better);
    expect(moved).toMatchObject({ data: { gold: true, best_before: { version: best, value: 0.74 }, previous_gold: best } });
    expect((await mlflow.getModelVersionByAlias(MODEL, GOLD_ALIAS))!.version).toBe(better);
  });

  it("never makes gold a version without a recorded metric, and answers no_data for a missing version", async () => {
    const v = await version(null);
    expect(await record(v)).toMatchObject({ status: "success", data: { stable: true, gold: false, value: null } });
    expect(await mlflow.getModelVersionByAlias(MODEL, GOLD_ALIAS)).toBeNull();
    expect(await record("99")).toMatchObject({ status: "no_data" });
  });

  it("lists the stable versions newest first with their metric and which is gold", async () => {
    const list = (model = MODEL) => mlflowListBaselines.run(mlflowListBaselines.input.parse({ model_name: model }), testToolContext({ mlflow }, { clock: s.clock }));
    expect(await list()).toMatchObject({ status: "no_data", data: { versions: [], gold: null } });
    const a = await version(0.74);
    const b = await version(0.7);
    await version(0.9); // never marked stable: not a rollback target
    await record(a);
    await record(b);
    const out = await list();
    expect(out).toMatchObject({ status: "success", data: { gold: a, omitted: 0 } });
    if (out.status !== "success") return;
    expect(out.data.versions.map((v) => [v.version, v.value, v.gold])).toEqual([
      [b, 0.7, false],
      [a, 0.74, true],
    ]);
    expect(out.data.versions[0]!.stable_since).toBe(s.clock.now().toISOString());
    expect(out.summary).toContain(`v${a} (gold) 0.7400`);
    expect(await list("no-such-model")).toMatchObject({ status: "no_data" });
  });
});
