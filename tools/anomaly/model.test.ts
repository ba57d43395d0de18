import { describe, expect, it } from "vitest";
import { extractFeatures } from "./features.js";
import { parseAnomalyModel } from "./model-schema.js";
import { ANOMALY_MODEL_FORMAT, scoreReference, trainAnomalyModel, type AnomalyModel } from "./model.js";
import { syntheticMetricSeries } from "./synthetic.js";

const history = syntheticMetricSeries({ length: 3000, seed: 11 });
const model = trainAnomalyModel(history, { trees: 50, seed: 5 });

/** A deep copy of the model with `change` applied, as a stored file someone edited would be. */
function edited(change: (copy: Record<string, any>) => void): unknown {
  const copy = JSON.parse(JSON.stringify(model)) as Record<string, any>;
  change(copy);
  return copy;
}

describe("trainAnomalyModel", () => {
  it.each([0.005, 0.01, 0.05, 0.1])("calibrates the threshold so a %s share of the training points score above it", (contamination) => {
    const trained = trainAnomalyModel(history, { trees: 50, seed: 5, contamination });
    const scores = scoreReference(trained, extractFeatures(history, trained.features).rows);
    const above = scores.filter((s) => s > trained.threshold).length;
    expect(Math.abs(above - contamination * history.length)).toBeLessThanOrEqual(2);
    expect(Math.fround(trained.threshold)).toBe(trained.threshold);
  });

  it("records what it was trained with", () => {
    expect(model).toMatchObject({
      format: ANOMALY_MODEL_FORMAT,
      featureNames: ["value", "deviation", "delta", "baseline_std", "short_vs_long"],
      features: { baselineWindow: 30, shortWindow: 5 },
      contamination: 0.01,
      trainedPoints: 3000,
      seed: 5,
      forest: { sampleSize: 256, featureCount: 5 },
    });
    expect(model.forest.roots).toHaveLength(50);
    expect(model.profile.features.map((f) => f.name)).toEqual(model.featureNames);
  });

  it("is deterministic by seed: the same seed and data give the same model, another seed another forest", () => {
    const again = trainAnomalyModel(history, { trees: 50, seed: 5 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(model));
    expect(trainAnomalyModel(history, { trees: 50, seed: 6 }).forest.threshold).not.toEqual(model.forest.threshold);
  });

  it.each([
    [{ trees: 0 }, /train option trees must be a positive integer, got 0/],
    [{ sampleSize: 1 }, /train option sampleSize must be an integer of at least 2, got 1/],
    [{ contamination: 0.5 }, /train option contamination must be a number in \[0, 0.5\), got 0.5/],
    [{ seed: 1.5 }, /train option seed must be an integer, got 1.5/],
    [{ features: { baselineWindow: -1 } }, /feature option baselineWindow must be a positive integer, got -1/],
  ])("rejects the options %j", (options, message) => {
    expect(() => trainAnomalyModel(history, options)).toThrow(expect.objectContaining({ name: "AnomalyError", code: "invalid_options", message: expect.stringMatching(message) }));
  });

  it("rejects a series too short to train on, or with a bad value", () => {
    expect(() => trainAnomalyModel([1])).toThrow(/training needs at least 2 points, got 1/);
    expect(() => trainAnomalyModel([1, 2, Number.NaN])).toThrow(/index 2 is NaN/);
  });
});

describe("parseAnomalyModel", () => {
  it("reads back a model written as JSON", () => {
    const read = parseAnomalyModel(JSON.parse(JSON.stringify(model)));
    expect(read).toEqual(model);
    const rows = extractFeatures(history.slice(0, 200), model.features).rows;
    expect(scoreReference(read, rows)).toEqual(scoreReference(model, rows));
  });

  it.each([
    ["a missing threshold", (m: Record<string, any>) => delete m.threshold, /threshold: /],
    ["another format", (m: Record<string, any>) => (m.format = "isolation-forest@0"), /format: /],
    ["a threshold that is not float32", (m: Record<string, any>) => (m.threshold = 0.1), /threshold: must be a finite float32 value/],
    ["renamed features", (m: Record<string, any>) => (m.featureNames[2] = "rate"), /featureNames: must be \["value","deviation","delta","baseline_std","short_vs_long"\]/],
    ["a child pointing back at its parent", (m: Record<string, any>) => (m.forest.left[0] = 0), /forest\.left\.0: is 0, not a node of tree 0 after node 0/],
    ["a child in the next tree", (m: Record<string, any>) => (m.forest.right[0] = m.forest.roots[1]), /forest\.right\.0: is \d+, not a node of tree 0/],
    ["a feature the rows lack", (m: Record<string, any>) => (m.forest.feature[0] = 5), /forest\.feature\.0: is 5, but the rows have 5 features/],
    ["arrays of different lengths", (m: Record<string, any>) => m.forest.pathLength.pop(), /forest\.pathLength: has \d+ entries, but forest\.feature has \d+ nodes/],
    ["a short window longer than the baseline", (m: Record<string, any>) => (m.features.shortWindow = 31), /features\.shortWindow: shortWindow must not exceed baselineWindow/],
    ["profile shares that do not fit the edges", (m: Record<string, any>) => m.profile.features[1].expected.pop(), /profile\.features\.1\.expected: needs \d+ shares/],
  ])("rejects %s, naming the field", (_label, change, message) => {
    expect(() => parseAnomalyModel(edited(change))).toThrow(expect.objectContaining({ name: "AnomalyError", code: "invalid_model", message: expect.stringMatching(message) }));
  });

  it("rejects something that is not a model at all", () => {
    expect(() => parseAnomalyModel("model.json")).toThrow(/invalid anomaly model: \(root\): /);
    expect(() => parseAnomalyModel({} as AnomalyModel)).toThrow(/invalid anomaly model: format: .*featureNames: /);
  });
});
