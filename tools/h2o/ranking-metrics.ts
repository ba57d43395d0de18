/** One scored document of one query. */
export interface RankedRow {
  queryId: string;
  topic: string;
  /** Graded relevance 0-3. */
  label: number;
  /** The model's score; NaN or null ranks last. */
  score: number | null;
}

/** Options of rankingMetrics. */
export interface RankingOptions {
  /** NDCG cut-off (default 10). */
  k?: number;
  /** Recall cut-off (default 20). */
  recallK?: number;
  /** The lowest label that counts as relevant for recall (default 2). */
  relevantLabel?: number;
}

/** Ranking quality over a set of queries. The keys keep their default names whatever the cut-offs. */
export interface RankingSummary {
  /** Mean NDCG@k over queries with at least one label > 0; null when there is none. */
  ndcg_at_10: number | null;
  /** Mean recall@recallK over queries with at least one relevant doc; null when there is none. */
  recall_at_20: number | null;
  /** Number of distinct queries. */
  queries: number;
}

/** Ranking quality overall and by topic. */
export interface RankingMetrics extends RankingSummary {
  by_topic: Record<string, RankingSummary>;
}

/**
 * NDCG@k (gain 2^label - 1, discount log2(rank + 1), ideal order from the labels) and recall@k
 * (share of docs with label >= relevantLabel in the top recallK), averaged over the queries where
 * they are defined, overall and per topic (a query's topic is that of its first row). Docs are
 * ranked by descending score; ties keep the order of the rows, so results are deterministic.
 */
export function rankingMetrics(rows: readonly RankedRow[], options: RankingOptions = {}): RankingMetrics {
  const k = options.k ?? 10;
  const recallK = options.recallK ?? 20;
  const relevantLabel = options.relevantLabel ?? 2;
  const queries = new Map<string, { topic: string; docs: { label: number; score: number; index: number }[] }>();
  rows.forEach((row, index) => {
    let q = queries.get(row.queryId);
    if (!q) queries.set(row.queryId, (q = { topic: row.topic, docs: [] }));
    const score = row.score === null || Number.isNaN(row.score) ? -Infinity : row.score;
    q.docs.push({ label: row.label, score, index });
  });

  const all = new Accumulator();
  const byTopic = new Map<string, Accumulator>();
  for (const { topic, docs } of queries.values()) {
    const ranked = [...docs].sort((a, b) => b.score - a.score || a.index - b.index);
    const ndcg = ndcgAt(ranked.map((d) => d.label), k);
    const recall = recallAt(ranked.map((d) => d.label), recallK, relevantLabel);
    const topicAcc = byTopic.get(topic) ?? new Accumulator();
    byTopic.set(topic, topicAcc);
    for (const acc of [all, topicAcc]) acc.add(ndcg, recall);
  }
  const by_topic: Record<string, RankingSummary> = {};
  for (const [topic, acc] of [...byTopic].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) by_topic[topic] = acc.summary();
  return { ...all.summary(), by_topic };
}

/** NDCG@k of labels in ranked order; null when no label is above 0. */
export function ndcgAt(rankedLabels: readonly number[], k: number): number | null {
  const ideal = dcg([...rankedLabels].sort((a, b) => b - a), k);
  return ideal > 0 ? dcg(rankedLabels, k) / ideal : null;
}

/** Recall@k of labels in ranked order; null when no doc is relevant. */
export function recallAt(rankedLabels: readonly number[], k: number, relevantLabel: number): number | null {
  const relevant = rankedLabels.filter((l) => l >= relevantLabel).length;
  if (relevant === 0) return null;
  return rankedLabels.slice(0, k).filter((l) => l >= relevantLabel).length / relevant;
}

function dcg(labels: readonly number[], k: number): number {
  let sum = 0;
  labels.slice(0, k).forEach((label, i) => {
    sum += (2 ** label - 1) / Math.log2(i + 2);
  });
  return sum;
}

class Accumulator {
  private queries = 0;
  private ndcgSum = 0;
  private ndcgCount = 0;
  private recallSum = 0;
  private recallCount = 0;

  add(ndcg: number | null, recall: number | null): void {
    this.queries++;
    if (ndcg !== null) {
      this.ndcgSum += ndcg;
      this.ndcgCount++;
    }
    if (recall !== null) {
      this.recallSum += recall;
      this.recallCount++;
    }
  }

  summary(): RankingSummary {
    return {
      ndcg_at_10: this.ndcgCount ? this.ndcgSum / this.ndcgCount : null,
      recall_at_20: this.recallCount ? this.recallSum / this.recallCount : null,
      queries: this.queries,
    };
  }
}
