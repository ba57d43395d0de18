import { scoreFrame } from "./h2o/calibration.js";
import { buildFrame } from "./h2o/frame.js";
import type { H2oStore } from "./h2o/store.js";
import { regressionMetrics } from "./h2o/schemas.js";
import { createRandom } from "./random.js";
import type { RegistryStore } from "./mlflow/registry-store.js";
import type { TrackingStore } from "./mlflow/tracking-store.js";
import type { World } from "./world/world.js";

/** The features the seeded champion was trained on (the dataset's numeric columns). */
const FEATURES = ["bm25", "semantic", "freshness", "clicks"];

/**
 * Puts the champion everywhere it would exist in a real platform: an H2O model keyed
 * `<model>-v<version>`, an MLflow experiment `autopilot/<model>` with a FINISHED run, a READY
 * registered version tagged with its H2O model and a passed gate, and the `champion` alias.
 */
export function seedChampion(world: World, h2o: H2oStore, tracking: TrackingStore, registry: RegistryStore): void {
  const { scenario, champion } = world;
  const trainedAt = world.startMs - 86_400_000;
  // Training metrics scored like any trained model's, on a reference frame of the dataset's shape.
  const reference = referenceFrame(world);
  const labels = reference.columns[3]!.data!;
  const { scores } = scoreFrame(reference, world.seed, (topic) => world.topicNdcg(champion, topic, world.startMs));
  const metrics = regressionMetrics(champion.key, `${scenario.dataset}-train.hex`, labels, scores, trainedAt);
  const rmse = Number(metrics.RMSE);
  h2o.models.set(champion.key, {
    key: champion.key,
    algo: champion.algo,
    world: champion,
    trainingFrame: `${scenario.dataset}-train.hex`,
    responseColumn: "label",
    features: FEATURES.map((name) => ({ name, type: "Numeric", domain: null })),
    ntrees: champion.ntrees,
    maxDepth: champion.maxDepth,
    seed: 42,
    startTime: trainedAt - 600_000,
    endTime: trainedAt,
    trainingMetrics: metrics,
  });

  const experimentId = tracking.createExperiment(`autopilot/${scenario.model}`);
  const run = tracking.createRun({ experiment_id: experimentId, run_name: `${scenario.model}-v${scenario.champion.version}`, start_time: trainedAt - 600_000 });
  const runId = run.info.run_id;
  const { baseline } = scenario;
  tracking.logBatch(
    runId,
    [
      ["ndcg_at_10", baseline.ndcg_at_10],
      ["recall_at_20", baseline.recall_at_20],
      ["latency_p95_seconds", baseline.latency_p95_seconds],
      ["rmse", rmse],
    ].map(([key, value]) => ({ key, value, timestamp: trainedAt, step: 0 })),
    [
      { key: "algo", value: champion.algo },
      { key: "ntrees", value: String(champion.ntrees) },
      { key: "max_depth", value: String(champion.maxDepth) },
      { key: "dataset", value: scenario.dataset },
    ],
    [
      { key: "h2o_model_id", value: champion.key },
      { key: "autopilot.strategy", value: "baseline" },
    ],
  );
  tracking.updateRun({ run_id: runId, status: "FINISHED", end_time: trainedAt });
  const artifactRoot = run.info.artifact_uri;
  tracking.artifacts.set(`${artifactRoot.replace(/^mlflow-artifacts:\//, "")}/model/${champion.key}.zip`, new TextEncoder().encode(`PK\u0003\u0004${champion.key}`));

  registry.createModel({ name: scenario.model, description: `Reranker of the ${scenario.service} service` });
  registry.seedVersion(scenario.model, scenario.champion.version, {
    source: `${artifactRoot}/model`,
    run_id: runId,
    tags: { h2o_model_id: champion.key, "autopilot.gate": "passed" },
  });
  registry.setAlias({ name: scenario.model, alias: "champion", version: scenario.champion.version });
}

// 20 queries per topic with 30 documents each, graded 0-3 (about 5 % 3, 10 % 2, 20 % 1), as the dataset has them.
function referenceFrame(world: World) {
  const random = createRandom(`${world.seed}-reference`);
  const rows: string[][] = [];
  for (const topic of world.scenario.topics) {
    for (let q = 0; q < 20; q++) {
      for (let d = 0; d < 30; d++) {
        const u = random.next();
        rows.push([`ref-${topic}-${q}`, topic, `doc-${q}-${d}`, String(u < 0.05 ? 3 : u < 0.15 ? 2 : u < 0.35 ? 1 : 0)]);
      }
    }
  }
  return buildFrame("reference.hex", ["query_id", "topic", "doc_id", "label"], ["String", "Enum", "String", "Numeric"], rows);
}
