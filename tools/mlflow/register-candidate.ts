import { z } from "zod";
import { AutopilotError, CANDIDATE_STRATEGIES, type CandidateFinding } from "../../core/index.js";
import { defineTool, type ToolOutcome } from "../tool.js";
import { errorOutcome } from "../outcome.js";
import { mlmodelYaml } from "./mlmodel.js";
import { ModelNameInput } from "./inputs.js";

const READY_TIMEOUT_MS = 5 * 60_000;
const TUNABLE = ["ntrees", "max_depth", "learn_rate", "sample_rate", "seed"];

const input = {
  model_name: ModelNameInput.describe("Registered model name in MLflow, e.g. search-reranker"),
  h2o_model_id: z.string().regex(/^[A-Za-z0-9_.-]+$/).describe("The H2O model to register (h2o_model_id from h2o_train_model)"),
  strategy: z.enum(CANDIDATE_STRATEGIES).describe("How the candidate was produced (the signal's candidate strategy)"),
  dataset_path: z.string().optional().describe("DVC path of the training dataset, recorded as the run tag dvc.path"),
  dataset_md5: z.string().optional().describe("DVC md5 of the training dataset, recorded as run tag dvc.md5 and version tag dvc_md5"),
  params: z
    .record(z.string(), z.union([z.string(), z.number()]))
    .optional()
    .describe("Training parameters to log; defaults to the actual values H2O reports for the model"),
  training_metrics: z
    .record(z.string(), z.number())
    .optional()
    .describe("Training metrics to log (prefixed train_); H2O's own values for the model take precedence"),
  experiment: z.string().min(1).optional().describe('MLflow experiment; default "autopilot/<model_name>"'),
};

/** Logs an H2O model as an MLflow run, registers it as a model version and points the `candidate` alias at it. */
export const mlflowRegisterCandidate = defineTool({
  name: "mlflow_register_candidate",
  system: "mlflow",
  title: "Register a candidate model",
  description:
    "Creates an MLflow run (<cycle>-<strategy>) with the cycle, strategy, H2O model and DVC dataset as tags, logs the params and " +
    "the training metrics (train_*), uploads the H2O MOJO as model/<h2o_model_id>.zip with an MLmodel file, registers the run's " +
    "model directory as a new version of the registered model, waits until it is READY and points the alias `candidate` at it.",
  input: z.object(input),
  flags: { readOnly: false, destructive: false, idempotent: false, openWorld: true },
  finding: "candidate",
  timeoutMs: 10 * 60_000,
  async run(args, ctx): Promise<ToolOutcome<CandidateFinding>> {
    const { mlflow, h2o } = ctx.clients;
    const signal = ctx.signal;
    const cycle = ctx.cycleId ?? "manual";
    let openRun: string | undefined;
    try {
      const model = await h2o.getModel(args.h2o_model_id, { signal });
      if (!model.have_mojo) throw new AutopilotError("h2o_no_mojo", `h2o: model ${model.model_id} (${model.algo}) cannot be exported as a MOJO`);
      const experimentId = await mlflow.getOrCreateExperiment(args.experiment ?? `autopilot/${args.model_name}`, signal);
      const tags: Record<string, string> = { "autopilot.cycle_id": cycle, "autopilot.strategy": args.strategy, "h2o.model_id": model.model_id };
      if (args.dataset_md5) tags["dvc.md5"] = args.dataset_md5;
      if (args.dataset_path) tags["dvc.path"] = args.dataset_path;
      const run = await mlflow.createRun({ experimentId, runName: `${cycle}-${args.strategy}`, tags }, signal);
      const runId = run.info.run_id;
      openRun = runId;

      const params = args.params ?? actualParams(model.parameters);
      const metrics = Object.fromEntries(Object.entries({ ...args.training_metrics, ...model.training_metrics }).map(([k, v]) => [`train_${k}`, v]));
      await mlflow.logBatch(runId, { params: { algo: model.algo, ...params }, metrics }, signal);
      const mojo = await h2o.downloadMojo(model.model_id, { signal });
      await mlflow.uploadArtifact(run.info.artifact_uri, `model/${model.model_id}.zip`, mojo, "application/zip", signal);
      await mlflow.uploadArtifact(run.info.artifact_uri, "model/MLmodel", mlmodelYaml(model, runId, ctx.clock.now()), "text/yaml", signal);
      await mlflow.updateRun(runId, { status: "FINISHED" }, signal);
      openRun = undefined;

      await mlflow.ensureRegisteredModel(args.model_name, signal);
      const source = `${run.info.artifact_uri.replace(/\/+$/, "")}/model`;
      const versionTags: Record<string, string> = { h2o_model_id: model.model_id, "autopilot.cycle_id": cycle };
      if (args.dataset_md5) versionTags.dvc_md5 = args.dataset_md5;
      const created = await mlflow.createModelVersion({ name: args.model_name, source, runId, tags: versionTags }, signal);
      await mlflow.waitForModelVersionReady(args.model_name, created.version, { timeoutMs: READY_TIMEOUT_MS, signal });
      await mlflow.setAlias(args.model_name, "candidate", created.version, signal);

      const finding: CandidateFinding = {
        model_name: args.model_name,
        version: created.version,
        run_id: runId,
        h2o_model_id: model.model_id,
        strategy: args.strategy,
        dataset_md5: args.dataset_md5 ?? null,
        source,
      };
      return { status: "success", summary: `Registered ${model.model_id} as ${args.model_name} v${created.version} (alias candidate, run ${runId})`, data: finding };
    } catch (error) {
      // A run left RUNNING would look like training still in progress.
      if (openRun) await mlflow.updateRun(openRun, { status: "FAILED" }).catch(() => undefined);
      return errorOutcome(error);
    }
  },
});

function actualParams(parameters: Record<string, unknown>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const name of TUNABLE) {
    const value = parameters[name];
    if (typeof value === "number" || typeof value === "string") out[name] = value;
  }
  return out;
}
