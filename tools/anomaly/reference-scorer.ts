/**
 * The plain TypeScript scorer of a forest: the reference the ONNX model is checked against, and the
 * scorer training uses to calibrate the threshold.
 */
import { AnomalyError } from "./anomaly-error.js";
import { averagePathLength, type IsolationForest } from "./isolation-forest.js";

/** A forest in typed arrays, ready to walk. */
export interface CompiledForest {
  featureCount: number;
  /** c(ψ), the path length the mean is normalised by. */
  normaliser: number;
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
  pathLength: Float32Array;
}

/** The forest's arrays copied into typed arrays. */
export function compileForest(forest: IsolationForest): CompiledForest {
  return {
    featureCount: forest.featureCount,
    normaliser: averagePathLength(forest.sampleSize),
    roots: Int32Array.from(forest.roots),
    feature: Int32Array.from(forest.feature),
    threshold: Float32Array.from(forest.threshold),
    left: Int32Array.from(forest.left),
    right: Int32Array.from(forest.right),
    pathLength: Float32Array.from(forest.pathLength),
  };
}

/** Throws unless `rows` holds whole rows of `featureCount` columns; returns the row count. */
export function rowCount(rows: Float32Array, featureCount: number): number {
  if (rows.length % featureCount !== 0) {
    throw new AnomalyError("invalid_rows", `feature rows hold ${rows.length} values, not a multiple of the ${featureCount} features per row`, {
      details: { values: rows.length, featureCount },
    });
  }
  return rows.length / featureCount;
}

/**
 * The anomaly score of each row, s(x) = 2^(-E[h(x)] / c(ψ)) with E[h(x)] the mean over trees of the
 * leaf path length x reaches: near 1 for points isolated early, at most about 0.5 for ordinary ones.
 * A row goes left at a node when row[feature] < threshold, both float32, as ONNX Runtime compares them.
 */
export function scoreForest(forest: CompiledForest, rows: Float32Array): Float64Array {
  const { featureCount, roots, feature, threshold, left, right, pathLength } = forest;
  const count = rowCount(rows, featureCount);
  const trees = roots.length;
  const scores = new Float64Array(count);
  for (let r = 0; r < count; r++) {
    const base = r * featureCount;
    let sum = 0;
    for (let t = 0; t < trees; t++) {
      let node = roots[t]!;
      let f = feature[node]!;
      while (f >= 0) {
        node = rows[base + f]! < threshold[node]! ? left[node]! : right[node]!;
        f = feature[node]!;
      }
      sum += pathLength[node]!;
    }
    scores[r] = 2 ** (-(sum / trees) / forest.normaliser);
  }
  return scores;
}
