import { describe, expect, it } from "vitest";
import { mlflowGetModel, mlflowSetModelAlias, RUN_FIELDS_CAP } from "./model-tools.js";
import { mlflowToolSetup } from "./testing/tool-setup.js";

function world() {
  const setup = mlflowToolSetup({ mlflow: { pendingPolls: 0 } });
  const v1 = setup.mlflowFake.seedVersion("search-reranker", { h2oModelId: "gbm_a", aliases: ["champion"] });
  const v2 = setup.mlflowFake.seedVersion("search-reranker", { h2oModelId: "gbm_b", aliases: ["candidate"] });
  const run = setup.mlflowFake.runs.get(v1.runId)!;
  run.metrics.set("eval_ndcg_at_10", [{ value: 0.61, timestamp: 1, step: 0 }]);
  for (let i = 0; i < RUN_FIELDS_CAP + 5; i++) run.params.set(`p${i}`, String(i));
  return { ...setup, v1, v2 };
}

describe("mlflow_get_model", () => {
  it("is read-only", () => {
    expect(mlflowGetModel.flags).toEqual({ readOnly: true, destructive: false, idempotent: true, openWorld: true });
  });

  it("reads a version by alias with its run's metrics and capped params", async () => {
    const w = world();
    const outcome = await mlflowGetModel.run(mlflowGetModel.input.parse({ model_name: "search-reranker", alias: "champion" }), w.ctx);
    expect(outcome.status).toBe("success");
    if (outcome.status !== "success") return;
    expect(outcome.data).toMatchObject({ version: "1", aliases: ["champion"], status: "READY", tags: { h2o_model_id: "gbm_a" } });
    expect(outcome.data.run).toMatchObject({ run_id: w.v1.runId, metrics: { eval_ndcg_at_10: 0.61 }, omitted: { params: 5, tags: 0 } });
    expect(Object.keys(outcome.data.run!.params)).toHaveLength(RUN_FIELDS_CAP);
    expect(outcome.summary).toContain("search-reranker v1 (champion)");
  });

  it("reads a version by number", async () => {
    const w = world();
    const outcome = await mlflowGetModel.run(mlflowGetModel.input.parse({ model_name: "search-reranker", version: 2 }), w.ctx);
    expect(outcome).toMatchObject({ status: "success", data: { version: "2", aliases: ["candidate"] } });
  });

  it("answers no_data for an alias that is not set", async () => {
    const w = world();
    const outcome = await mlflowGetModel.run(mlflowGetModel.input.parse({ model_name: "search-reranker", alias: "shadow" }), w.ctx);
    expect(outcome).toMatchObject({ status: "no_data", summary: "search-reranker has no alias shadow" });
  });

  it("needs exactly one of alias and version", async () => {
    const w = world();
    for (const args of [{ model_name: "m" }, { model_name: "m", alias: "champion", version: "1" }]) {
      const outcome = await mlflowGetModel.run(mlflowGetModel.input.parse(args), w.ctx);
      expect(outcome).toMatchObject({ status: "error", error: { code: "invalid_input" } });
    }
    expect(w.mlflowFake.requests).toHaveLength(0);
  });
});

describe("mlflow_set_model_alias", () => {
  it("is destructive and idempotent", () => {
    expect(mlflowSetModelAlias.flags).toEqual({ readOnly: false, destructive: true, idempotent: true, openWorld: true });
    expect(mlflowSetModelAlias.input.safeParse({ model_name: "m", alias: "Champion", version: "1" }).success).toBe(false);
  });

  it("moves the alias and returns the previous version", async () => {
    const w = world();
    const args = mlflowSetModelAlias.input.parse({ model_name: "search-reranker", alias: "champion", version: "2" });
    const outcome = await mlflowSetModelAlias.run(args, w.ctx);
    expect(outcome).toMatchObject({ status: "success", data: { model_name: "search-reranker", alias: "champion", version: "2", previous_version: "1" } });
    expect(w.mlflowFake.models.get("search-reranker")!.aliases.get("champion")).toBe("2");
    const again = await mlflowSetModelAlias.run(args, w.ctx);
    expect(again).toMatchObject({ status: "success", data: { previous_version: "2" } });
    expect(again.summary).toContain("unchanged");
  });

  it("reports an unset alias as previous_version null", async () => {
    const w = world();
    const outcome = await mlflowSetModelAlias.run(mlflowSetModelAlias.input.parse({ model_name: "search-reranker", alias: "shadow", version: 2 }), w.ctx);
    expect(outcome).toMatchObject({ status: "success", data: { previous_version: null } });
  });

  it("refuses a version that does not exist or is not READY", async () => {
    const w = world();
    const missing = await mlflowSetModelAlias.run(mlflowSetModelAlias.input.parse({ model_name: "search-reranker", alias: "champion", version: 9 }), w.ctx);
    expect(missing).toMatchObject({ status: "error", error: { code: "mlflow_version_missing" } });
    w.mlflowFake.models.get("search-reranker")!.versions.get("2")!.polls = 5;
    const pending = await mlflowSetModelAlias.run(mlflowSetModelAlias.input.parse({ model_name: "search-reranker", alias: "champion", version: 2 }), w.ctx);
    expect(pending).toMatchObject({ status: "error", error: { code: "mlflow_version_not_ready" } });
    expect(w.mlflowFake.models.get("search-reranker")!.aliases.get("champion")).toBe("1");
  });
});
