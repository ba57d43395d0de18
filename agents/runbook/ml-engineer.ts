import { answer, detectorSeries, finding, step, type RunbookDecision, type SpecialistRunbook, type ToolResultView } from "./decision.js";
import type { TaskBriefContext } from "../../prompts/index.js";

/** H2O parameters per candidate strategy: fine-tuning keeps the champion's size, variants shrink it. */
const PARAMS_BY_STRATEGY: Record<string, Record<string, number>> = {
  fine_tune: { ntrees: 100, max_depth: 6, learn_rate: 0.1, seed: 42 },
  lighter_mode: { ntrees: 50, max_depth: 4, learn_rate: 0.1, seed: 42 },
  cheaper_variant: { ntrees: 60, max_depth: 5, learn_rate: 0.1, seed: 42 },
};

type Dataset = { abs_path: string; md5: string };

/** The ML engineer's runbook: train and register a candidate, then evaluate it. */
export const mlEngineerRunbook: SpecialistRunbook = (task, results) => {
  const catalog = task.catalog;
  if (!catalog || !task.signal || !task.service) return answer("The cycle has no catalogued service or signal; I cannot train for it.");
  const strategy = String((task.contract as { candidate?: string } | null)?.candidate ?? "fine_tune");
  if (strategy === "retrain_detector") return detectorRunbook(task, results);
  switch (task.step) {
    case "train": {
      const params = PARAMS_BY_STRATEGY[strategy];
      if (!params) return answer(`The ${strategy} strategy has no model to train; a human must act.`);
      return withDataset(task, results, (dataset) =>
        step(results, "h2o_train_model", () => ({ dataset_path: dataset.abs_path, algo: "gbm", params }), `Training a ${strategy} candidate.`, (trained) =>
          step(
            results,
            "mlflow_register_candidate",
            () => ({
              model_name: catalog.model,
              h2o_model_id: trained.data?.h2o_model_id,
              strategy,
              dataset_path: dataset.abs_path,
              dataset_md5: dataset.md5,
              params,
              training_metrics: numbersOf(trained.data?.training_metrics),
            }),
            "Registering the candidate in MLflow.",
            (r) => answer(`Candidate registered: ${r.summary}`),
          ),
        ),
      );
    }
    case "evaluate": {
      if (strategy === "processor_tuning") return gateCapacityChange(task, results);
      const candidate = finding<{ version: string }>(task, "candidate");
      if (!candidate) return answer("No candidate is registered in this cycle; nothing to evaluate.");
      return withDataset(task, results, (dataset) =>
        step(
          results,
          "mlflow_evaluate_candidate",
          () => ({
            signal: task.signal,
            service: task.service,
            model_name: catalog.model,
            candidate_version: candidate.version,
            eval_dataset_path: dataset.abs_path,
          }),
          `Evaluating candidate version ${candidate.version}.`,
          (r) => answer(`Quality gate: ${r.summary}`),
        ),
      );
    }
    default:
      return answer(`Step ${task.step} is not an ML-engineer step.`);
  }
};

/** Workers are doubled on each slow processor; the gate bounds what one step may do. */
const SCALE = 2;

/** The gate of an ETL fix: read the app's processors, propose doubling the slow ones, check it. */
function gateCapacityChange(task: TaskBriefContext, results: readonly ToolResultView[]): RunbookDecision {
  const app = task.catalog!.app;
  const slow = finding<{ weak_segments?: string[] }>(task, "diagnosis")?.weak_segments ?? [];
  if (slow.length === 0) return answer("The diagnosis names no slow processor, so there is no capacity change to gate.");
  return step(results, "gitops_get_values", () => ({ app }), `Reading ${app}'s processors.`, (read) => {
    const processors = ((read.data?.values as { processors?: Record<string, { workers?: number }> } | undefined)?.processors ?? {}) as Record<string, { workers?: number }>;
    const proposal: Record<string, { workers: number }> = {};
    for (const name of slow) {
      const workers = processors[name]?.workers;
      if (typeof workers === "number") proposal[name] = { workers: workers * SCALE };
    }
    if (Object.keys(proposal).length === 0) return answer(`None of the slow processors (${slow.join(", ")}) has a worker count in ${app}'s values; a human must size them.`);
    return step(results, "gitops_check_change", () => ({ app, processors: proposal }), "Gating the capacity change.", (r) => answer(`Quality gate: ${r.summary}`));
  });
}

/** Uses the cycle's augmented dataset, or reads the catalogued one first. */
function withDataset(task: TaskBriefContext, results: readonly ToolResultView[], next: (d: Dataset) => RunbookDecision): RunbookDecision {
  const augmented = finding<Dataset>(task, "dataset");
  if (augmented) return next(augmented);
  const name = task.catalog!.dataset;
  return step(results, "dvc_get_dataset", () => ({ name }), `Reading dataset ${name}.`, (r) => {
    const data = r.data as Partial<Dataset> | undefined;
    if (r.status !== "success" || !data?.abs_path || !data.md5) return answer(`Dataset ${name} is not available: ${r.summary}`);
    return next({ abs_path: data.abs_path, md5: data.md5 });
  });
}

function numbersOf(value: unknown): Record<string, number> {
  if (!value || typeof value !== "object") return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, number] => typeof e[1] === "number" && Number.isFinite(e[1])));
}

/** A detector_drift cycle: train the series' detector on the snapshot, then gate it against the champion. */
function detectorRunbook(task: TaskBriefContext, results: readonly ToolResultView[]): RunbookDecision {
  const series = detectorSeries(task);
  const dataset = finding<Dataset>(task, "dataset");
  if (!series || !dataset) return answer("The cycle has no detector series or no snapshot of it; there is nothing to train on.");
  switch (task.step) {
    case "train":
      return step(results, "mlflow_train_detector", () => ({ ...series, dataset_path: dataset.abs_path, dataset_md5: dataset.md5 }), "Training the detector on the snapshot.", (r) =>
        answer(`Detector candidate: ${r.summary}`),
      );
    case "evaluate": {
      const candidate = finding<{ version: string }>(task, "candidate");
      if (!candidate) return answer("No detector candidate is registered in this cycle; nothing to evaluate.");
      return step(
        results,
        "mlflow_evaluate_detector",
        () => ({ ...series, candidate_version: candidate.version, dataset_path: dataset.abs_path }),
        `Gating detector v${candidate.version} against the champion.`,
        (r) => answer(`Quality gate: ${r.summary}`),
      );
    }
    default:
      return answer(`Step ${task.step} is not an ML-engineer step.`);
  }
}
