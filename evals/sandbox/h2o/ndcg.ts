/**
 * NDCG@k with exponential gain (2^label - 1) and log2(rank + 1) discount, the definition the
 * sandbox calibrates its predictions against (tools/h2o/ranking-metrics.ts uses the same one).
 */

/** NDCG@k of one query given its labels in ranked order; null when no document is relevant. */
export function ndcgAt(rankedLabels: readonly number[], k = 10): number | null {
  const ideal = [...rankedLabels].sort((a, b) => b - a);
  const idcg = dcg(ideal, k);
  return idcg > 0 ? dcg(rankedLabels, k) / idcg : null;
}

function dcg(labels: readonly number[], k: number): number {
  let total = 0;
  for (let i = 0; i < Math.min(k, labels.length); i++) total += (2 ** Math.max(0, labels[i]!) - 1) / Math.log2(i + 2);
  return total;
}
