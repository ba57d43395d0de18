import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CandidateFinding } from "../../core/index.js";
import { mlflowRegisterCandidate } from "./register-candidate.js";
import { mlflowTools } from "./toolset.js";
import { mlflowToolSetup } from "./testing/tool-setup.js";

const input = (extra: Record<string, unknown> = {}) =>
  mlflowRegisterCandidate.input.parse({
    model_name: "search-reranker",
    h2o_model_id: "gbm_cand",
    strategy: "fine_tune",
    dataset_path: "datasets/search-relevance-augmented",
    dataset_md5: "a1b2c3d4e5f60718293a4b5c6d7e8f90.dir",
    ...extra,
  });

describe("mlflow_register_candidate", () => {
  it("is a write, non-destructive, non-idempotent tool establishing the candidate finding", () => {
    expect(mlflowTools.map((t) => t.name)).toEqual(["mlflow_register_candidate", "mlflow_evaluate_candidate", "mlflow_get_model", "mlflow_set_model_alias", "mlflow_record_baseline", "mlflow_list_baselines", "mlflow_train_detector", "mlflow_evaluate_detector", "mlflow_promote_detector"]);
    expect(mlflowRegisterCandidate.flags).toMatchObject({ readOnly: false, destructive: false, idempotent: false });
    expect(mlflowRegisterCandidate.finding).toBe("candidate");
  });

  it("logs the run, uploads the MOJO and MLmodel, registers a READY version and sets the candidate alias", async () => {
    const { ctx, h2oFake, mlflowFake } = mlflowToolSetup({ mlflow: { pendingPolls: 2 } });
    h2oFake.addModel("gbm_cand", { ntrees: 40, maxDepth: 6, seed: 7 });
    const outcome = await mlflowRegisterCandidate.run(input(), ctx);
    expect(outcome.status).toBe("success");
    if (outcome.status !== "success") return;
    const finding = CandidateFinding.parse(outcome.data);
    const run = mlflowFake.runs.get(finding.run_id)!;
    expect(finding).toEqual({
      model_name: "search-reranker",
      version: "1",
      run_id: run.info.run_id,
      h2o_model_id: "gbm_cand",
      strategy: "fine_tune",
      dataset_md5: "a1b2c3d4e5f60718293a4b5c6d7e8f90.dir",
      source: `${run.info.artifact_uri}/model`,
    });

    expect(run.info).toMatchObject({ run_name: "si_2026_01_01_001-fine_tune", status: "FINISHED" });
    expect(Object.fromEntries(run.tags)).toMatchObject({
      "autopilot.cycle_id": "si_2026_01_01_001",
      "autopilot.strategy": "fine_tune",
      "h2o.model_id": "gbm_cand",
      "dvc.md5": "a1b2c3d4e5f60718293a4b5c6d7e8f90.dir",
      "dvc.path": "datasets/search-relevance-augmented",
    });
    expect(Object.fromEntries(run.params)).toEqual({ algo: "gbm", ntrees: "40", max_depth: "6", learn_rate: "0.1", sample_rate: "1", seed: "7" });
    expect(run.metrics.get("train_RMSE")?.[0]?.value).toBe(0.5);

    const prefix = run.info.artifact_uri.replace("mlflow-artifacts:/", "");
    expect(new TextDecoder().decode(mlflowFake.artifacts.get(`${prefix}/model/gbm_cand.zip`))).toBe("PK\u0003\u0004mojo:gbm_cand");
    const mlmodel = parse(new TextDecoder().decode(mlflowFake.artifacts.get(`${prefix}/model/MLmodel`)));
    expect(mlmodel).toMatchObject({ artifact_path: "model", run_id: run.info.run_id, flavors: { h2o_mojo: { mojo_file: "gbm_cand.zip", algo: "gbm" } } });

    const registered = mlflowFake.models.get("search-reranker")!;
    expect(Object.fromEntries(registered.versions.get("1")!.tags)).toEqual({
      h2o_model_id: "gbm_cand",
      dvc_md5: "a1b2c3d4e5f60718293a4b5c6d7e8f90.dir",
      "autopilot.cycle_id": "si_2026_01_01_001",
    });
    expect(registered.aliases.get("candidate")).toBe("1");
    // The alias was set only after the version stopped being PENDING_REGISTRATION.
    const gets = mlflowFake.requests.filter((r) => r.path.endsWith("/model-versions/get")).length;
    const aliasAt = mlflowFake.requests.findIndex((r) => r.method === "POST" && r.path.endsWith("/registered-models/alias"));
    expect(gets).toBe(3);
    expect(aliasAt).toBe(mlflowFake.requests.length - 1);
    expect(mlflowFake.requests.some((r) => r.path.includes("transition-stage"))).toBe(false);
  });

  it("adds a version to an existing registered model and experiment, tagged manual outside a cycle", async () => {
    const { ctx, h2oFake, mlflowFake } = mlflowToolSetup();
    h2oFake.addModel("gbm_cand", {});
    h2oFake.addModel("gbm_next", {});
    await mlflowRegisterCandidate.run(input(), ctx);
    ctx.cycleId = null;
    const outcome = await mlflowRegisterCandidate.run(input({ h2o_model_id: "gbm_next", strategy: "lighter_mode", dataset_md5: undefined }), ctx);
    expect(outcome).toMatchObject({ status: "success", data: { version: "2", dataset_md5: null } });
    const run = [...mlflowFake.runs.values()].at(-1)!;
    expect(run.info.run_name).toBe("manual-lighter_mode");
    expect(run.info.experiment_id).toBe([...mlflowFake.runs.values()][0]!.info.experiment_id);
    expect(mlflowFake.models.get("search-reranker")!.aliases.get("candidate")).toBe("2");
  });

  it("fails the run and returns an error outcome when the server does not serve artifacts", async () => {
    const { ctx, h2oFake, mlflowFake } = mlflowToolSetup({ mlflow: { serveArtifacts: false } });
    h2oFake.addModel("gbm_cand", {});
    const outcome = await mlflowRegisterCandidate.run(input(), ctx);
    expect(outcome.status).toBe("error");
    if (outcome.status !== "error") return;
    expect(outcome.error).toMatchObject({ system: "mlflow", upstream_status: 503 });
    expect(outcome.error.upstream_message).toContain("--no-serve-artifacts");
    expect([...mlflowFake.runs.values()][0]!.info.status).toBe("FAILED");
    expect(mlflowFake.models.size).toBe(0);
  });

  it("returns an error outcome for an unknown H2O model without touching MLflow", async () => {
    const { ctx, mlflowFake } = mlflowToolSetup();
    const outcome = await mlflowRegisterCandidate.run(input({ h2o_model_id: "gbm_missing" }), ctx);
    expect(outcome).toMatchObject({ status: "error", error: { system: "h2o", upstream_status: 404 } });
    expect(mlflowFake.requests).toHaveLength(0);
  });
});
