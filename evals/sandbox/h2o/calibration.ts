import { gaussianHash } from "../random.js";
import { numberValues, textValues, type Frame } from "./frame.js";
import { ndcgAt } from "./ndcg.js";

/**
 * How predictions are made. A model scores a row as `label + sigma * z`: z is a standard normal
 * draw fixed per (query, document), shared by every model, and sigma is chosen per topic so that
 * the offline NDCG@10 on that topic equals the model's world quality there. The map from quality
 * to sigma is a calibration curve computed once per (frame, topic): the frame's mean NDCG@10 for
 * 48 sigmas from 0.02 to 30 on a log grid, made non-increasing, then inverted by interpolation.
 * Because z is shared, a model with higher quality on a topic gets a smaller sigma and ranks the
 * same documents better, and offline NDCG tracks online quality within a percent or two.
 */

/** The sigma grid of the calibration curve. */
export const SIGMA_GRID: readonly number[] = Array.from({ length: 48 }, (_, i) => 0.02 * (30 / 0.02) ** (i / 47));

interface Prepared {
  labels: number[];
  topics: string[];
  z: number[];
  /** Row indices of each query, by topic. */
  queriesByTopic: Map<string, number[][]>;
  curves: Map<string, number[]>;
}

const prepared = new WeakMap<Frame, Prepared>();

/** Scores every row of `frame` for a model whose quality on a topic is `qualityOf(topic)`. */
export function scoreFrame(frame: Frame, seed: number, qualityOf: (topic: string) => number): { scores: number[]; sigmaByTopic: Record<string, number> } {
  const p = prepare(frame, seed);
  const sigmaByTopic: Record<string, number> = {};
  for (const topic of p.queriesByTopic.keys()) sigmaByTopic[topic] = sigmaFor(curveOf(p, topic), qualityOf(topic));
  const scores = p.labels.map((label, i) => label + (sigmaByTopic[p.topics[i]!] ?? 1) * p.z[i]!);
  return { scores, sigmaByTopic };
}

/** The sigma whose mean NDCG@10 on the curve equals `quality` (clamped to the grid's ends). */
export function sigmaFor(curve: readonly number[], quality: number): number {
  if (!(quality < curve[0]!)) return SIGMA_GRID[0]!;
  const last = curve.length - 1;
  if (!(quality > curve[last]!)) return SIGMA_GRID[last]!;
  const k = curve.findIndex((value) => value <= quality);
  const hi = curve[k - 1]!;
  const lo = curve[k]!;
  const f = hi === lo ? 0 : (hi - quality) / (hi - lo);
  return Math.exp(Math.log(SIGMA_GRID[k - 1]!) + f * (Math.log(SIGMA_GRID[k]!) - Math.log(SIGMA_GRID[k - 1]!)));
}

function prepare(frame: Frame, seed: number): Prepared {
  const cached = prepared.get(frame);
  if (cached) return cached;
  const labels = (numberValues(frame, "label") ?? new Array<number>(frame.rows).fill(0)).map((v) => (Number.isFinite(v) ? v : 0));
  const topics = textValues(frame, "topic") ?? new Array<string>(frame.rows).fill("");
  const queries = textValues(frame, "query_id") ?? topics;
  const docs = textValues(frame, "doc_id") ?? labels.map((_, i) => String(i));
  const seen = new Map<string, number>();
  const z = labels.map((_, i) => {
    const key = `${queries[i]}\u0000${docs[i]}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return gaussianHash(seed, "score", queries[i]!, docs[i]!, n);
  });
  const groups = new Map<string, Map<string, number[]>>();
  topics.forEach((topic, i) => {
    const byQuery = groups.get(topic) ?? new Map<string, number[]>();
    const rows = byQuery.get(queries[i]!) ?? [];
    rows.push(i);
    byQuery.set(queries[i]!, rows);
    groups.set(topic, byQuery);
  });
  const queriesByTopic = new Map([...groups].map(([topic, byQuery]) => [topic, [...byQuery.values()]]));
  const p: Prepared = { labels, topics, z, queriesByTopic, curves: new Map() };
  prepared.set(frame, p);
  return p;
}

function curveOf(p: Prepared, topic: string): number[] {
  const cached = p.curves.get(topic);
  if (cached) return cached;
  const queries = (p.queriesByTopic.get(topic) ?? []).filter((rows) => rows.some((i) => p.labels[i]! > 0));
  const curve = SIGMA_GRID.map((sigma) => {
    if (queries.length === 0) return 0;
    let sum = 0;
    for (const rows of queries) {
      const ranked = rows
        .map((i) => ({ label: p.labels[i]!, score: p.labels[i]! + sigma * p.z[i]!, i }))
        .sort((a, b) => b.score - a.score || a.i - b.i)
        .map((d) => d.label);
      sum += ndcgAt(ranked) ?? 0;
    }
    return sum / queries.length;
  });
  // A single draw of z is not perfectly monotone in sigma; the running minimum makes the map invertible.
  for (let i = 1; i < curve.length; i++) curve[i] = Math.min(curve[i]!, curve[i - 1]!);
  p.curves.set(topic, curve);
  return curve;
}
