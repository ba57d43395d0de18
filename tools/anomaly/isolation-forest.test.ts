import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extractFeatures } from "./features.js";
import { nextFloat32Up } from "./float32.js";
import { averagePathLength, trainIsolationForest, type IsolationForest } from "./isolation-forest.js";
import { compileForest, scoreForest } from "./reference-scorer.js";
import { syntheticMetricSeries } from "./synthetic.js";

const { rows, featureCount } = extractFeatures(syntheticMetricSeries({ length: 600, seed: 4 }));

/** Every leaf of a tree with its depth, found by walking the tree from its root. */
function leaves(forest: IsolationForest, tree: number): Array<{ node: number; depth: number }> {
  const found: Array<{ node: number; depth: number }> = [];
  const walk = (node: number, depth: number) => {
    if (forest.feature[node]! < 0) return found.push({ node, depth });
    walk(forest.left[node]!, depth + 1);
    walk(forest.right[node]!, depth + 1);
  };
  walk(forest.roots[tree]!, 0);
  return found;
}

describe("averagePathLength", () => {
  it("is c(n) = 2 H(n-1) - 2 (n-1) / n, with c(1) = 0 and c(2) = 1", () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(256)).toBeCloseTo(10.2448, 4);
    expect(averagePathLength(3)).toBeCloseTo(2 * (Math.log(2) + 0.5772156649) - 4 / 3, 10);
  });
});

describe("trainIsolationForest", () => {
  it("grows the requested trees to depth ceil(log2 ψ), children after parents, float32 splits, leaves valued depth + c(size)", () => {
    const forest = trainIsolationForest(rows, featureCount, { trees: 12, sampleSize: 64, seed: 9 });
    expect(forest.roots).toHaveLength(12);
    expect(forest.sampleSize).toBe(64);
    for (let t = 0; t < 12; t++) {
      const found = leaves(forest, t);
      for (const { node, depth } of found) {
        expect(depth).toBeLessThanOrEqual(6);
        const cOfSize = forest.pathLength[node]! - depth; // c(leaf sample size)
        expect(cOfSize).toBeGreaterThanOrEqual(0);
        if (depth < 6) expect(forest.pathLength[node]).toBe(Math.fround(depth)); // split until one point is left
      }
    }
    forest.feature.forEach((f, node) => {
      if (f < 0) return;
      expect(forest.left[node]).toBeGreaterThan(node);
      expect(forest.right[node]).toBeGreaterThan(node);
      expect(Math.fround(forest.threshold[node]!)).toBe(forest.threshold[node]);
    });
  });

  it("is deterministic by seed", () => {
    const a = trainIsolationForest(rows, featureCount, { trees: 20, sampleSize: 128, seed: 42 });
    const b = trainIsolationForest(rows, featureCount, { trees: 20, sampleSize: 128, seed: 42 });
    const c = trainIsolationForest(rows, featureCount, { trees: 20, sampleSize: 128, seed: 43 });
    expect(b).toEqual(a);
    expect(c.threshold).not.toEqual(a.threshold);
  });

  it("caps the sample size at the training points", () => {
    const forest = trainIsolationForest(rows.subarray(0, 10 * featureCount), featureCount, { trees: 3, sampleSize: 256, seed: 1 });
    expect(forest.sampleSize).toBe(10);
  });

  it("makes a constant sample a single leaf of path length c(ψ), so every point scores 0.5", () => {
    const constant = new Float32Array(50 * 3).fill(7);
    const forest = trainIsolationForest(constant, 3, { trees: 4, sampleSize: 32, seed: 1 });
    expect(forest.feature).toEqual([-1, -1, -1, -1]);
    expect(forest.pathLength).toEqual(Array(4).fill(Math.fround(averagePathLength(32))));
    for (const score of scoreForest(compileForest(forest), constant.subarray(0, 6))) expect(score).toBeCloseTo(0.5, 6);
  });

  it("never leaves a side of a split empty, even when the two values are adjacent float32s", () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, min: Math.fround(-1e30), max: Math.fround(1e30) }), fc.integer(), (v, seed) => {
        const low = Math.fround(v);
        const pair = new Float32Array([low, nextFloat32Up(low)]);
        const forest = trainIsolationForest(pair, 1, { trees: 1, sampleSize: 2, seed });
        expect(forest.feature[0]).toBe(0);
        expect(forest.threshold[0]).toBe(pair[1]);
        expect(forest.pathLength.slice(1)).toEqual([1, 1]);
      }),
    );
  });
});
