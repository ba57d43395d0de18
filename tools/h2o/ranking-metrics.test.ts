import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ndcgAt, rankingMetrics, recallAt, type RankedRow } from "./ranking-metrics.js";

const row = (queryId: string, topic: string, label: number, score: number | null): RankedRow => ({ queryId, topic, label, score });

// q1 ranks d2 (0), d3 (2), d4 (1), d1 (3): d3 and d4 tie at 0.5 and keep their row order.
// DCG  = 0/log2(2) + 3/log2(3) + 1/log2(4) + 7/log2(5) = 1.892789 + 0.5 + 3.014736 = 5.407525
// IDCG = 7/log2(2) + 3/log2(3) + 1/log2(4) + 0          = 7 + 1.892789 + 0.5       = 9.392789
const q1 = [row("q1", "a", 3, 0.2), row("q1", "a", 0, 0.9), row("q1", "a", 2, 0.5), row("q1", "a", 1, 0.5)];

describe("rankingMetrics", () => {
  it("computes NDCG@10 with gain 2^label - 1 and a log2(rank + 1) discount", () => {
    const m = rankingMetrics(q1);
    expect(m.ndcg_at_10).toBeCloseTo(5.407525 / 9.392789, 6);
    expect(m.ndcg_at_10).toBeCloseTo(0.57571, 5);
    expect(m.recall_at_20).toBe(1);
    expect(m.queries).toBe(1);
  });

  it("applies the cut-offs: NDCG@2 and recall@2", () => {
    const m = rankingMetrics(q1, { k: 2, recallK: 2 });
    // DCG@2 = 3/log2(3) = 1.892789; IDCG@2 = 7 + 1.892789 = 8.892789
    expect(m.ndcg_at_10).toBeCloseTo(0.212845, 6);
    // relevant (label >= 2): d1 and d3; only d3 is in the top 2
    expect(m.recall_at_20).toBe(0.5);
  });

  it("counts relevance from relevantLabel", () => {
    // with relevantLabel 1, relevant are d1, d3, d4; the top 2 (d2, d3) hold one of them
    expect(rankingMetrics(q1, { recallK: 2, relevantLabel: 1 }).recall_at_20).toBeCloseTo(1 / 3, 10);
  });

  it("averages over the queries where each metric is defined, overall and by topic", () => {
    const rows = [
      ...q1,
      row("q2", "b", 0, 0.4), // no label > 0: in neither average, still counted as a query
      row("q2", "b", 0, 0.8),
      row("q3", "a", 1, 0.1), // NDCG = (1/log2(3)) / 1 = 0.630930; no doc with label >= 2: not in recall
      row("q3", "a", 0, 0.3),
    ];
    const m = rankingMetrics(rows);
    expect(m.queries).toBe(3);
    expect(m.ndcg_at_10).toBeCloseTo((0.5757103 + 0.6309298) / 2, 6);
    expect(m.recall_at_20).toBe(1);
    expect(m.by_topic.a!.queries).toBe(2);
    expect(m.by_topic.a!.ndcg_at_10).toBeCloseTo(0.60332, 5);
    expect(m.by_topic.a!.recall_at_20).toBe(1);
    expect(m.by_topic.b).toEqual({ ndcg_at_10: null, recall_at_20: null, queries: 1 });
    expect(Object.keys(m.by_topic)).toEqual(["a", "b"]);
  });

  it("breaks score ties by row order, deterministically", () => {
    // tie: the label-0 doc first gives DCG = 7/log2(3) = 4.416508, IDCG = 7 -> 0.630930
    expect(rankingMetrics([row("q", "t", 0, 1), row("q", "t", 3, 1)]).ndcg_at_10).toBeCloseTo(0.6309298, 6);
    expect(rankingMetrics([row("q", "t", 3, 1), row("q", "t", 0, 1)]).ndcg_at_10).toBe(1);
  });

  it("ranks null and NaN scores last", () => {
    expect(rankingMetrics([row("q", "t", 3, null), row("q", "t", 0, -5)]).ndcg_at_10).toBeCloseTo(0.6309298, 6);
    expect(rankingMetrics([row("q", "t", 3, Number.NaN), row("q", "t", 0, -5)]).ndcg_at_10).toBeCloseTo(0.6309298, 6);
  });

  it("groups rows by query id even when queries interleave", () => {
    const m = rankingMetrics([row("x", "t", 0, 0.9), row("y", "t", 2, 0.1), row("x", "t", 2, 0.1), row("y", "t", 0, 0.9)]);
    expect(m.queries).toBe(2);
    expect(m.ndcg_at_10).toBeCloseTo(0.6309298, 6);
  });

  it("gives NDCG@10 = 0 and recall@20 = 1 when the only relevant doc sits at rank 11", () => {
    const rows = Array.from({ length: 12 }, (_, i) => row("q", "t", i === 10 ? 3 : 0, 100 - i));
    const m = rankingMetrics(rows);
    expect(m.ndcg_at_10).toBe(0);
    expect(m.recall_at_20).toBe(1);
  });

  it("returns null metrics and zero queries for no rows", () => {
    expect(rankingMetrics([])).toEqual({ ndcg_at_10: null, recall_at_20: null, queries: 0, by_topic: {} });
  });

  it("keeps NDCG and recall within [0, 1], and NDCG = 1 when scores are the labels", () => {
    const labels = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(labels, fc.array(fc.double({ noNaN: true, min: -10, max: 10 }), { minLength: 40, maxLength: 40 }), (ls, scores) => {
        const m = rankingMetrics(ls.map((l, i) => row("q", "t", l, scores[i]!)));
        for (const v of [m.ndcg_at_10, m.recall_at_20].filter((x) => x !== null)) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1 + 1e-12);
        }
        const ideal = rankingMetrics(ls.map((l) => row("q", "t", l, l)));
        const relevant = ls.filter((l) => l >= 2).length;
        if (ls.some((l) => l > 0)) expect(ideal.ndcg_at_10).toBeCloseTo(1, 12);
        if (relevant > 0) expect(ideal.recall_at_20).toBeCloseTo(Math.min(1, 20 / relevant), 12);
      }),
    );
  });
});

describe("ndcgAt and recallAt", () => {
  it("are null when nothing is relevant", () => {
    expect(ndcgAt([0, 0], 10)).toBeNull();
    expect(recallAt([1, 1, 0], 20, 2)).toBeNull();
  });

  it("match hand-computed values on ranked labels", () => {
    expect(ndcgAt([0, 2, 1, 3], 10)).toBeCloseTo(0.5757103, 6);
    expect(recallAt([0, 2, 1, 3], 2, 2)).toBe(0.5);
  });
});
