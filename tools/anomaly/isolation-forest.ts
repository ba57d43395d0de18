/**
 * Isolation Forest (Liu, Ting and Zhou, 2008): random trees that isolate points; anomalies are
 * isolated in fewer splits. Trained here, stored as flat arrays, scored by the reference below and,
 * exported by onnx-model.ts, by ONNX Runtime.
 */
// The seeded PRNG lives with the DVC dataset generator; it is self-contained, so it is reused here
// rather than copied (tools/dvc/index.ts does not list it, being DVC's public face).
import { mulberry32 } from "../dvc/prng.js";
import { nextFloat32Up } from "./float32.js";

/**
 * A trained forest as flat, JSON-serialisable arrays indexed by node; tree t's nodes run from
 * roots[t] to roots[t+1] - 1 in preorder, so every child comes after its parent. At an internal node
 * a row goes left when row[feature] < threshold (ONNX BRANCH_LT), right otherwise.
 */
export interface IsolationForest {
  /** ψ: points each tree was grown on (the requested sample size, capped at the training points). */
  sampleSize: number;
  /** Columns of the rows the forest reads. */
  featureCount: number;
  /** The first node of each tree. */
  roots: number[];
  /** The split column of each node; -1 marks a leaf. */
  feature: number[];
  /** The float32 split value of each internal node (0 on leaves). */
  threshold: number[];
  /** The left (true, `<`) child of each internal node (-1 on leaves). */
  left: number[];
  /** The right (false, `>=`) child of each internal node (-1 on leaves). */
  right: number[];
  /** A leaf's path length, float32(depth + c(leaf size)); 0 on internal nodes. */
  pathLength: number[];
}

/** How a forest is grown. */
export interface ForestOptions {
  trees: number;
  sampleSize: number;
  seed: number;
}

const EULER_GAMMA = 0.5772156649015329;

/** c(n): the average path length of an unsuccessful search in a binary search tree of n points. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/**
 * Grows `trees` isolation trees on `rows` (row-major, `featureCount` columns), each on ψ rows drawn
 * without replacement, to depth ceil(log2 ψ). A node splits on a column drawn uniformly among those
 * not constant in its sample (a node whose columns are all constant is a leaf) at a uniform value
 * between that column's min and max, rounded to float32 and kept above the min so neither side is empty.
 */
export function trainIsolationForest(rows: Float32Array, featureCount: number, options: ForestOptions): IsolationForest {
  const n = rows.length / featureCount;
  const psi = Math.min(options.sampleSize, n);
  const maxDepth = Math.ceil(Math.log2(Math.max(psi, 1)));
  const rng = mulberry32(options.seed);
  const forest: IsolationForest = { sampleSize: psi, featureCount, roots: [], feature: [], threshold: [], left: [], right: [], pathLength: [] };
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  const sample = new Int32Array(psi);
  const low = new Float64Array(featureCount);
  const high = new Float64Array(featureCount);
  const candidates: number[] = [];

  const addNode = (): number => {
    forest.feature.push(-1);
    forest.threshold.push(0);
    forest.left.push(-1);
    forest.right.push(-1);
    forest.pathLength.push(0);
    return forest.feature.length - 1;
  };

  const grow = (from: number, to: number, depth: number): number => {
    const id = addNode();
    const size = to - from;
    if (depth >= maxDepth || size <= 1 || !findSplittable(from, to)) {
      forest.pathLength[id] = Math.fround(depth + averagePathLength(size));
      return id;
    }
    const q = candidates[Math.floor(rng() * candidates.length)]!;
    const min = low[q]!;
    let split = Math.fround(min + rng() * (high[q]! - min));
    if (split <= min) split = nextFloat32Up(min);
    // Partition sample[from, to) so rows going left (row[q] < split) come first.
    let mid = from;
    for (let k = from; k < to; k++) {
      const r = sample[k]!;
      if (rows[r * featureCount + q]! < split) {
        sample[k] = sample[mid]!;
        sample[mid++] = r;
      }
    }
    forest.feature[id] = q;
    forest.threshold[id] = split;
    forest.left[id] = grow(from, mid, depth + 1);
    forest.right[id] = grow(mid, to, depth + 1);
    return id;
  };

  // Fills low/high for the rows in sample[from, to) and `candidates` with the non-constant columns.
  const findSplittable = (from: number, to: number): boolean => {
    low.fill(Infinity);
    high.fill(-Infinity);
    for (let k = from; k < to; k++) {
      const base = sample[k]! * featureCount;
      for (let f = 0; f < featureCount; f++) {
        const v = rows[base + f]!;
        if (v < low[f]!) low[f] = v;
        if (v > high[f]!) high[f] = v;
      }
    }
    candidates.length = 0;
    for (let f = 0; f < featureCount; f++) if (low[f]! < high[f]!) candidates.push(f);
    return candidates.length > 0;
  };

  for (let t = 0; t < options.trees; t++) {
    // A partial Fisher-Yates shuffle of the pool draws ψ distinct rows.
    for (let k = 0; k < psi; k++) {
      const j = k + Math.floor(rng() * (n - k));
      const chosen = pool[j]!;
      pool[j] = pool[k]!;
      pool[k] = chosen;
      sample[k] = chosen;
    }
    forest.roots.push(grow(0, psi, 0));
  }
  return forest;
}
