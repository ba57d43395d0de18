import fc from "fast-check";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { extractFeatures } from "./features.js";
import { nextFloat32Up } from "./float32.js";
import { scoreReference, trainAnomalyModel, type AnomalyModel } from "./model.js";
import { anomalyModelToOnnx } from "./onnx-model.js";
import { createOnnxScorer } from "./onnx-scorer.js";
import { syntheticMetricSeries } from "./synthetic.js";

const TOLERANCE = 1e-5;

/** Series of different shapes and scales: a noisy sine, a random walk, steps. */
const seriesArbitrary = fc
  .record({
    kind: fc.constantFrom("sine", "walk", "steps"),
    length: fc.integer({ min: 40, max: 500 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    scale: fc.constantFrom(1e-3, 1, 250, 1e6),
  })
  .map(({ kind, length, seed, scale }) => {
    const base = syntheticMetricSeries({ length, seed, noise: kind === "walk" ? 1 : 0.1 });
    let walk = 0;
    if (kind === "walk") return base.map((v) => scale * (walk += v - 10));
    if (kind === "steps") return base.map((v, i) => scale * (Math.floor(i / 25) % 3) + (scale * (v - 10)) / 50);
    return base.map((v) => scale * v);
  });

/**
 * Rows that hit every split exactly: for each internal node a training row with the node's feature
 * set to its threshold, and to the float32 just below it (the two sides of BRANCH_LT).
 */
function thresholdRows(model: AnomalyModel, rows: Float32Array): Float32Array {
  const { forest } = model;
  const width = forest.featureCount;
  const out: number[] = [];
  forest.feature.forEach((feature, node) => {
    if (feature < 0) return;
    const t = forest.threshold[node]!;
    const r = node % (rows.length / width);
    const row = Array.from(rows.subarray(r * width, (r + 1) * width));
    for (const value of [t, -nextFloat32Up(-t)]) {
      row[feature] = value;
      out.push(...row);
    }
  });
  return Float32Array.from(out);
}

/** Rows far outside anything seen in training, in every direction. */
function farRows(rows: Float32Array, width: number, factor: number): Float32Array {
  const out = new Float32Array(rows.length * 2);
  rows.forEach((v, i) => {
    out[i] = v * factor + factor;
    out[rows.length + i] = -(v * factor) - factor * (1 + (i % width));
  });
  return out;
}

async function onnxOutputs(model: AnomalyModel, rows: Float32Array): Promise<{ score: Float32Array; flag: Uint8Array }> {
  const session = await InferenceSession.create(anomalyModelToOnnx(model), { intraOpNumThreads: 1 });
  try {
    const width = model.forest.featureCount;
    const out = await session.run({ features: new Tensor("float32", rows, [rows.length / width, width]) });
    return { score: out.score!.data as Float32Array, flag: out.is_anomaly!.data as Uint8Array };
  } finally {
    await session.release();
  }
}

describe("createOnnxScorer", () => {
  it("agrees with the TypeScript reference within 1e-5 on training, unseen, far-out and exact-threshold rows", async () => {
    await fc.assert(
      fc.asyncProperty(
        seriesArbitrary,
        seriesArbitrary,
        fc.record({ trees: fc.integer({ min: 1, max: 40 }), sampleSize: fc.integer({ min: 2, max: 300 }), seed: fc.integer(), contamination: fc.constantFrom(0, 0.01, 0.1) }),
        fc.constantFrom(10, 1e4, 1e12),
        async (training, unseen, options, factor) => {
          const model = trainAnomalyModel(training, options);
          const trainRows = extractFeatures(training, model.features).rows;
          const unseenRows = extractFeatures(unseen, model.features).rows;
          const rows = concat([trainRows, unseenRows, thresholdRows(model, trainRows), farRows(unseenRows, 5, factor)]);
          const scorer = await createOnnxScorer(anomalyModelToOnnx(model), { intraOpNumThreads: 1 });
          try {
            const onnx = await scorer.score(rows);
            const reference = scoreReference(model, rows);
            expect(onnx.length).toBe(reference.length);
            let worst = 0;
            onnx.forEach((s, i) => (worst = Math.max(worst, Math.abs(s - reference[i]!))));
            expect(worst).toBeLessThanOrEqual(TOLERANCE);
          } finally {
            await scorer.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("flags in the graph exactly the scores above the stored threshold", async () => {
    const values = syntheticMetricSeries({ length: 2000, seed: 8, spikes: { 700: 4, 1500: -3 } });
    const model = trainAnomalyModel(values, { trees: 30, seed: 2, contamination: 0.05 });
    const { score, flag } = await onnxOutputs(model, extractFeatures(values, model.features).rows);
    const expected = Array.from(score, (s) => (s > model.threshold ? 1 : 0));
    expect(Array.from(flag)).toEqual(expected);
    expect(expected.filter(Boolean).length).toBeGreaterThan(50);
  });

  it("rejects rows that are not whole rows, bytes that are not a model, and use after close", async () => {
    const model = trainAnomalyModel(syntheticMetricSeries({ length: 300, seed: 1 }), { trees: 3 });
    const scorer = await createOnnxScorer(anomalyModelToOnnx(model));
    await expect(scorer.score(new Float32Array(7))).rejects.toThrow(/feature rows hold 7 values, not a multiple of the 5 features per row/);
    expect(await scorer.score(new Float32Array(0))).toEqual(new Float64Array(0));
    await scorer.close();
    await expect(scorer.score(new Float32Array(5))).rejects.toThrow(expect.objectContaining({ name: "AnomalyError", code: "scorer_closed" }));
    await expect(createOnnxScorer(new TextEncoder().encode("not a model"))).rejects.toThrow(
      expect.objectContaining({ name: "AnomalyError", code: "invalid_model", message: expect.stringMatching(/ONNX Runtime could not load the model \(11 bytes\)/) }),
    );
  });
});

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
