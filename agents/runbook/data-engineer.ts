import { answer, detectorSeries, finding, step, type SpecialistRunbook } from "./decision.js";

/** Queries generated per weak topic; each query brings 30 candidate documents. */
const QUERIES_PER_TOPIC = 10;

/** The data engineer's runbook: look at the dataset, augment the weak topics. */
export const dataEngineerRunbook: SpecialistRunbook = (task, results) => {
  if (task.step !== "augment") return answer(`Step ${task.step} is not a data-engineer step.`);
  if (task.signal === "detector_drift") {
    const series = detectorSeries(task);
    if (!series) return answer("The drift alert names no series (label series_signal); there is no history to snapshot.");
    return step(results, "dvc_snapshot_series", () => ({ ...series }), `Snapshotting the recent history of ${series.service}'s ${series.series_signal} series.`, (r) =>
      answer(`Detector dataset: ${r.summary}`),
    );
  }
  const dataset = task.catalog?.dataset;
  if (!dataset) return answer("The service has no dataset in the catalog; nothing to augment.");
  const weak = finding<{ weak_segments?: string[]; by?: string }>(task, "diagnosis")?.weak_segments ?? [];
  if (weak.length === 0) return answer("The diagnosis found no weak segment, so there is nothing to augment.");
  const topics = weak.slice(0, 20);
  return step(results, "dvc_get_dataset", () => ({ name: dataset }), `Reading dataset ${dataset}.`, (current) => {
    if (current.status !== "success") return answer(`Dataset ${dataset} is not available: ${current.summary}`);
    return step(
      results,
      "dvc_augment_dataset",
      () => ({ dataset, topics, queries_per_topic: QUERIES_PER_TOPIC, seed: 1 }),
      `Augmenting ${dataset} on ${topics.join(", ")}.`,
      (r) => answer(`Augmented dataset: ${r.summary}`),
    );
  });
};
