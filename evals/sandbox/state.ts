import type { ArgoApplication } from "./argocd/application.js";
import type { Processor } from "./processors.js";
import type { SeriesSource } from "./world/series.js";
import type { TimelineEntry, World } from "./world/world.js";

/** What the control API reports: who serves, the ETL workers, the metrics now, the models and the timeline. */
export interface SandboxState {
  scenario: string;
  start: string;
  now: string;
  elapsed_minutes: number;
  serving: { champion: { version: string; model: string }; canary: { version: string; model: string } | null; canary_weight: number };
  /** Workers of each ETL processor now and its backlog as Prometheus reports it. */
  processors: Record<Processor, { workers: number; backlog_seconds: number }>;
  /** Values of the `variant="all"` (or service-level) series now, as Prometheus reports them. */
  metrics: Record<string, number>;
  topics: Record<string, { ndcg_at_10: number; recall_at_20: number }>;
  models: { id: string; key: string; algo: string; ntrees: number; max_depth: number; covered_topics: string[]; trained_at: string; hidden_regression: boolean }[];
  argocd: { sync: string; health: string; revision: string; history: { id: number; revision: string; deployedAt: string }[] };
  timeline: TimelineEntry[];
}

const METRICS: Record<string, string> = {
  ndcg_at_10: "search:ndcg_at_10",
  recall_at_20: "search:recall_at_20",
  latency_p95_seconds: "search:latency_p95_seconds",
  error_rate: "search:error_rate",
  cost_per_1k_requests_usd: "search:cost_per_1k_requests_usd",
  cost_budget_ratio: "search:cost_budget_ratio",
  etl_backlog_seconds: "etl:backlog_seconds",
  user_satisfaction: "search:user_satisfaction",
};

/** Builds the control API's view of the sandbox at the current simulated time. */
export function sandboxState(world: World, source: SeriesSource, app: ArgoApplication): SandboxState {
  const now = world.now();
  const value = (name: string, match: Record<string, string> = {}) => {
    const samples = source.series(name, now).filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v));
    return (samples.find((s) => s.labels.variant === "all") ?? samples[0])?.value ?? NaN;
  };
  const serving = world.servingAt(now);
  const argo = app.json();
  return {
    scenario: world.scenario.name,
    start: world.scenario.start,
    now: new Date(now).toISOString(),
    elapsed_minutes: (now - world.startMs) / 60_000,
    serving: {
      champion: { version: serving.champion.version, model: serving.champion.modelId },
      canary: serving.canary ? { version: serving.canary.version, model: serving.canary.modelId } : null,
      canary_weight: serving.canary ? serving.canaryWeight : 0,
    },
    processors: Object.fromEntries(
      Object.entries(world.workersAt(now)).map(([processor, workers]) => [processor, { workers, backlog_seconds: value("etl_processor:backlog_seconds", { processor }) }]),
    ) as SandboxState["processors"],
    metrics: Object.fromEntries(Object.entries(METRICS).map(([key, name]) => [key, value(name)])),
    topics: Object.fromEntries(
      world.scenario.topics.map((topic) => [topic, { ndcg_at_10: value("search_topic:ndcg_at_10", { topic }), recall_at_20: value("search_topic:recall_at_20", { topic }) }]),
    ),
    models: world.models().map((m) => ({
      id: m.id,
      key: m.key,
      algo: m.algo,
      ntrees: m.ntrees,
      max_depth: m.maxDepth,
      covered_topics: m.covered,
      trained_at: new Date(m.trainedAt).toISOString(),
      hidden_regression: m.hiddenRegression,
    })),
    argocd: {
      sync: argo.status.sync.status,
      health: argo.status.health.status,
      revision: argo.status.sync.revision,
      history: argo.status.history.map(({ id, revision, deployedAt }) => ({ id, revision, deployedAt })),
    },
    timeline: world.timeline(),
  };
}
