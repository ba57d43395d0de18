import { BASELINE_BACKLOG_SHARE, PROCESSORS } from "../processors.js";
import { unitHash } from "../random.js";
import { LATENCY_BUCKETS } from "./latency.js";
import { createCounters, COUNTER_NAMES } from "./counters.js";
import { RERANK_SHARE, RETRIEVE_SHARE, snapshotAt, type VariantValues, type WorldSnapshot } from "./snapshot.js";
import type { World } from "./world.js";

/** A label set, `__name__` included. */
export type Labels = Record<string, string>;

/** One series' value at one instant. */
export interface Sample {
  labels: Labels;
  value: number;
}

/** The metric type of a series, for the exposition format. */
export type MetricType = "gauge" | "counter" | "histogram";

/** Every series the sandbox serves, as functions of simulated time. */
export interface SeriesSource {
  /** Every metric name served (recording rules and raw metrics). */
  names(): readonly string[];
  /** The series of `name` present at `t` (ms); none for the future or before history begins. */
  series(name: string, t: number): Sample[];
  /** The value of a counter series at `t` even where it is not present (0 before it started); undefined for non-counters. */
  counterAt(labels: Labels, t: number): number | undefined;
}

/** Relative amplitude of the noise on gauges (±0.3 %). */
export const NOISE = 0.003;

type Rows = [Labels, number][];
type Gauge = (s: WorldSnapshot) => Rows;

/** Raw gauges, by metric name, with their help text (the recording rules' inputs). */
export const RAW_GAUGES: Record<string, string> = {
  search_ndcg_at_10: "Online NDCG@10 by variant and topic.",
  search_recall_at_20: "Online recall@20 by variant and topic.",
  etl_backlog_seconds: "Ingestion backlog by ETL processor, in seconds.",
  search_cost_per_1k_requests_usd: "Serving cost per 1000 requests, in USD.",
  search_cost_budget_ratio: "Spend rate divided by budget.",
  search_user_satisfaction_score: "User survey score, 0 to 5.",
};

/** Creates the series of a world. */
export function createSeriesSource(world: World): SeriesSource {
  const { scenario } = world;
  const service = scenario.service;
  const { baseline, topics } = scenario;
  const counters = createCounters(world);
  // Keyed by time and deployment count: with a frozen clock a deploy happens at an instant already cached.
  const cache = new Map<string, WorldSnapshot>();
  const snapshot = (t: number): WorldSnapshot => {
    const key = `${t}:${world.deploymentTimes().length}`;
    let s = cache.get(key);
    if (!s) {
      if (cache.size > 256) cache.clear();
      s = snapshotAt(world, t);
      cache.set(key, s);
    }
    return s;
  };
  const byVariant = (pick: (v: VariantValues) => number): Gauge => (s) => [
    ...s.variants.map((v): [Labels, number] => [{ variant: v.variant }, pick(v)]),
    [{ variant: "all" }, pick(s.all)],
  ];
  const byTopic = (pick: (v: { ndcg: number; recall: number }) => number): Gauge => (s) =>
    topics.map((topic) => [{ topic }, pick(s.all.topics[topic]!)]);
  const byVariantTopic = (pick: (v: { ndcg: number; recall: number }) => number): Gauge => (s) =>
    [...s.variants.map((v) => ({ name: v.variant, values: v as VariantValues })), { name: "all", values: s.all }].flatMap(({ name, values }) =>
      topics.map((topic): [Labels, number] => [{ variant: name, topic }, pick(values.topics[topic]!)]),
    );
  const gauges: Record<string, Gauge> = {
    "search:ndcg_at_10": byVariant((v) => v.ndcg),
    "search_topic:ndcg_at_10": byTopic((v) => v.ndcg),
    "search:recall_at_20": byVariant((v) => v.recall),
    "search_topic:recall_at_20": byTopic((v) => v.recall),
    "search:latency_p95_seconds": byVariant((v) => v.p95),
    "search_stage:latency_p95_seconds": (s) => [
      [{ stage: "retrieve" }, s.stages.retrieve],
      [{ stage: "rerank" }, s.stages.rerank],
    ],
    "search:error_rate": byVariant((v) => v.errorRate),
    "search:cost_per_1k_requests_usd": byVariant((v) => v.costPer1k),
    "search:cost_budget_ratio": (s) => [[{}, s.costBudgetRatio]],
    "etl:backlog_seconds": (s) => [[{}, Math.max(...Object.values(s.backlog))]],
    "etl_processor:backlog_seconds": (s) => Object.entries(s.backlog).map(([processor, v]) => [{ processor }, v]),
    "search:user_satisfaction": (s) => [[{}, s.satisfaction]],
    search_ndcg_at_10: byVariantTopic((v) => v.ndcg),
    search_recall_at_20: byVariantTopic((v) => v.recall),
    etl_backlog_seconds: (s) => Object.entries(s.backlog).map(([processor, v]) => [{ processor }, v]),
    search_cost_per_1k_requests_usd: byVariant((v) => v.costPer1k),
    search_cost_budget_ratio: (s) => [[{}, s.costBudgetRatio]],
    search_user_satisfaction_score: (s) => [[{}, s.satisfaction]],
  };
  // The healthy levels: constant, without noise.
  const baselines: Record<string, Rows> = {
    "search:ndcg_at_10:baseline": [[{}, baseline.ndcg_at_10]],
    "search_topic:ndcg_at_10:baseline": topics.map((topic) => [{ topic }, baseline.ndcg_at_10]),
    "search:recall_at_20:baseline": [[{}, baseline.recall_at_20]],
    "search_topic:recall_at_20:baseline": topics.map((topic) => [{ topic }, baseline.recall_at_20]),
    "search:latency_p95_seconds:baseline": [[{}, baseline.latency_p95_seconds]],
    "search_stage:latency_p95_seconds:baseline": [
      [{ stage: "retrieve" }, baseline.latency_p95_seconds * RETRIEVE_SHARE],
      [{ stage: "rerank" }, baseline.latency_p95_seconds * RERANK_SHARE],
    ],
    "etl:backlog_seconds:baseline": [[{}, Math.max(...PROCESSORS.map((p) => baseline.etl_backlog_seconds * BASELINE_BACKLOG_SHARE[p]))]],
    "etl_processor:backlog_seconds:baseline": PROCESSORS.map((processor) => [{ processor }, baseline.etl_backlog_seconds * BASELINE_BACKLOG_SHARE[processor]]),
  };
  const names = [...Object.keys(gauges), ...Object.keys(baselines), ...COUNTER_NAMES].sort();

  return {
    names: () => names,
    series(name, t) {
      if (t > world.now() || t < world.epochMs) return [];
      const label = (extra: Labels): Labels => ({ __name__: name, service, ...extra });
      const fixed = baselines[name];
      if (fixed) return fixed.map(([labels, value]) => ({ labels: label(labels), value }));
      const gauge = gauges[name];
      if (gauge) {
        const minute = Math.floor(t / 60_000);
        return gauge(snapshot(t)).map(([labels, value]) => {
          const full = label(labels);
          const u = unitHash(world.seed, seriesKey(full), minute);
          return { labels: full, value: value * (1 + NOISE * (2 * u - 1)) };
        });
      }
      if (!COUNTER_NAMES.includes(name)) return [];
      return counters.variantsPresentAt(t).flatMap((variant) => {
        const les = name.endsWith("_bucket") ? [...LATENCY_BUCKETS.map(String), "+Inf"] : [undefined];
        return les.map((le) => {
          const labels = label(le === undefined ? { variant } : { variant, le });
          return { labels, value: counters.value(name, variant, le, t) };
        });
      });
    },
    counterAt(labels, t) {
      const name = labels.__name__;
      if (!name || !COUNTER_NAMES.includes(name) || labels.service !== service) return undefined;
      const variant = labels.variant;
      if (variant !== "champion" && variant !== "candidate") return undefined;
      return counters.value(name, variant, labels.le, t);
    },
  };
}

/** A stable identity of a label set: `name{a="1",b="2"}` with labels sorted. */
export function seriesKey(labels: Labels): string {
  const { __name__: name = "", ...rest } = labels;
  const inner = Object.keys(rest)
    .sort()
    .map((k) => `${k}=${JSON.stringify(rest[k])}`)
    .join(",");
  return `${name}{${inner}}`;
}
