import { mixtureQuantile } from "./latency.js";
import type { ServingVariant, World } from "./world.js";

/** What one serving role achieves at an instant, before noise. */
export interface VariantValues {
  ndcg: number;
  recall: number;
  topics: Record<string, { ndcg: number; recall: number }>;
  p95: number;
  errorRate: number;
  costPer1k: number;
}

/** p95 of the retrieve stage as a share of the baseline p95; retrieval does not depend on the reranker. */
export const RETRIEVE_SHARE = 0.3;
/** p95 of the rerank stage as a share of the whole p95. */
export const RERANK_SHARE = 0.75;

/** Every quantity of the world at one instant, before noise. */
export interface WorldSnapshot {
  t: number;
  variants: (ServingVariant & VariantValues)[];
  /** The traffic mix (`variant="all"`). */
  all: VariantValues;
  stages: { retrieve: number; rerank: number };
  backlog: Record<string, number>;
  costBudgetRatio: number;
  satisfaction: number;
}

/**
 * Computes the world at `t`. Per-variant values follow the world rules; the mix is
 * traffic-weighted, except the p95, which is the 95th percentile of the mixed latency
 * distribution (what a histogram over all requests reports).
 */
export function snapshotAt(world: World, t: number): WorldSnapshot {
  const { topics, baseline } = world.scenario;
  const variants = world.variantsAt(t).map((v) => {
    const perTopic: Record<string, { ndcg: number; recall: number }> = {};
    for (const topic of topics) perTopic[topic] = { ndcg: world.topicNdcg(v.model, topic, t), recall: world.topicRecall(v.model, topic, t) };
    const values: VariantValues = {
      ndcg: mean(topics.map((topic) => perTopic[topic]!.ndcg)),
      recall: mean(topics.map((topic) => perTopic[topic]!.recall)),
      topics: perTopic,
      p95: world.latencyP95(v.model, t),
      errorRate: world.errorRate(v.model, t),
      costPer1k: world.costPer1k(v.model, t),
    };
    return { ...v, ...values };
  });
  const mix = (pick: (v: VariantValues) => number) => variants.reduce((sum, v) => sum + v.share * pick(v), 0);
  const allTopics: Record<string, { ndcg: number; recall: number }> = {};
  for (const topic of topics) allTopics[topic] = { ndcg: mix((v) => v.topics[topic]!.ndcg), recall: mix((v) => v.topics[topic]!.recall) };
  const all: VariantValues = {
    ndcg: mix((v) => v.ndcg),
    recall: mix((v) => v.recall),
    topics: allTopics,
    p95: mixtureQuantile(0.95, variants.map((v) => ({ weight: v.share, p95: v.p95 }))),
    errorRate: mix((v) => v.errorRate),
    costPer1k: mix((v) => v.costPer1k),
  };
  const costRatio = all.costPer1k / baseline.cost_per_1k_requests_usd;
  return {
    t,
    variants,
    all,
    // Retrieval does not depend on the reranker; reranking is most of the p95.
    stages: { retrieve: baseline.latency_p95_seconds * RETRIEVE_SHARE * latencyShift(world, t), rerank: all.p95 * RERANK_SHARE },
    backlog: world.backlog(t),
    costBudgetRatio: baseline.cost_budget_ratio * costRatio,
    satisfaction: world.satisfaction(t),
  };
}

// The product of latency shifts in force: the seeded champion's p95 over the baseline.
function latencyShift(world: World, t: number): number {
  return world.latencyP95(world.champion, t) / world.scenario.baseline.latency_p95_seconds;
}

function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
