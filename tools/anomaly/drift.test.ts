import { describe, expect, it } from "vitest";
import { buildFeatureProfile, populationStabilityIndex, PSI_EPSILON } from "./drift.js";
import { extractFeatures, FEATURE_NAMES } from "./features.js";
import { syntheticMetricSeries } from "./synthetic.js";

const rowsOf = (values: number[]) => extractFeatures(values).rows;
const training = rowsOf(syntheticMetricSeries({ length: 5000, seed: 1 }));
const profile = buildFeatureProfile(training, FEATURE_NAMES);

describe("buildFeatureProfile", () => {
  it("cuts each feature at its training deciles, each bin holding about a tenth of the rows", () => {
    expect(profile.bins).toBe(10);
    expect(profile.features.map((f) => f.name)).toEqual(FEATURE_NAMES);
    for (const { edges, expected } of profile.features) {
      expect(edges).toHaveLength(9);
      expect(expected.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      for (const share of expected) expect(share).toBeCloseTo(0.1, 2);
    }
  });

  it("merges the repeated edges of a feature with many equal values", () => {
    const rows = new Float32Array(100).map((_, i) => (i < 80 ? 0 : i));
    const [bins] = buildFeatureProfile(rows, ["x"]).features;
    expect(bins!.edges).toEqual([0, 80, 90]); // the 1st to 7th deciles are all 0
    expect(bins!.expected).toEqual([0, 0.8, 0.1, 0.1]);
  });
});

describe("populationStabilityIndex", () => {
  it("is near 0 for another sample of the same process", () => {
    const { psi, perFeature } = populationStabilityIndex(profile, rowsOf(syntheticMetricSeries({ length: 3000, seed: 2 })));
    expect(Object.keys(perFeature)).toEqual(FEATURE_NAMES);
    expect(psi).toBeLessThan(0.1);
    expect(psi).toBe(Math.max(...Object.values(perFeature)));
  });

  it("is above 0.25 when the level or the noise shifts", () => {
    const shifted = populationStabilityIndex(profile, rowsOf(syntheticMetricSeries({ length: 3000, seed: 2, level: 11 })));
    expect(shifted.psi).toBeGreaterThan(0.25);
    expect(shifted.perFeature.value).toBeGreaterThan(0.25);
    const noisier = populationStabilityIndex(profile, rowsOf(syntheticMetricSeries({ length: 3000, seed: 2, noise: 0.3 })));
    expect(noisier.perFeature.baseline_std).toBeGreaterThan(0.25);
  });

  it("counts an empty bin as a share of PSI_EPSILON, so the index stays finite", () => {
    const [bins] = buildFeatureProfile(Float32Array.from([1, 2, 3, 4]), ["x"], 2).features;
    const { psi } = populationStabilityIndex({ bins: 2, features: [bins!] }, Float32Array.from([1, 1]));
    // expected shares 0.5/0.5; actual 1 and 0 (raised to PSI_EPSILON)
    expect(psi).toBeCloseTo(0.5 * Math.log(2) + (PSI_EPSILON - 0.5) * Math.log(PSI_EPSILON / 0.5), 12);
  });

  it("rejects rows of the wrong width and no rows", () => {
    expect(() => populationStabilityIndex(profile, new Float32Array(7))).toThrow(/7 values, not a multiple of the 5 features/);
    expect(() => populationStabilityIndex(profile, new Float32Array(0))).toThrow(/needs at least one row/);
  });
});
