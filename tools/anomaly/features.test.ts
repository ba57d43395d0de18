import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extractFeatures, FEATURE_NAMES, resolveFeatureOptions } from "./features.js";

function rowsOf(values: number[], options?: Parameters<typeof extractFeatures>[1]): number[][] {
  const { rows, featureCount } = extractFeatures(values, options);
  return Array.from({ length: rows.length / featureCount }, (_, i) => Array.from(rows.subarray(i * featureCount, (i + 1) * featureCount)));
}

describe("extractFeatures", () => {
  it("computes value, deviation, delta, baseline std and short-vs-long as documented, with an expanding window at the start", () => {
    const rows = rowsOf([1, 3, 7, 5], { baselineWindow: 2, shortWindow: 2 });
    expect(FEATURE_NAMES).toEqual(["value", "deviation", "delta", "baseline_std", "short_vs_long"]);
    expect(rows).toEqual([
      [1, 0, 0, 0, 0], // no baseline yet
      [3, 2, 2, 0, 1], // baseline [1]: mean 1, one point so std 0; short mean (1+3)/2 = 2
      [7, 5, 4, 1, 3], // baseline [1,3]: mean 2, std 1; short mean (3+7)/2 = 5
      [5, 0, -2, 2, 1], // baseline [3,7]: mean 5, std 2; short mean (7+5)/2 = 6
    ]);
  });

  it("gives one row per point and reads only the past: later points never change earlier rows", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 80 }), fc.integer({ min: 0, max: 79 }), (values, cut) => {
        const k = Math.min(cut, values.length - 1);
        const full = extractFeatures(values, { baselineWindow: 7, shortWindow: 3 });
        const prefix = extractFeatures(values.slice(0, k + 1), { baselineWindow: 7, shortWindow: 3 });
        expect(full.rows.length).toBe(values.length * FEATURE_NAMES.length);
        expect(Array.from(full.rows.subarray(0, prefix.rows.length))).toEqual(Array.from(prefix.rows));
      }),
    );
  });

  it("keeps the spread exact on a series with a large level and a tiny variance", () => {
    const rows = rowsOf([1e9, 1e9 + 1, 1e9, 1e9 + 1, 1e9], { baselineWindow: 4, shortWindow: 1 });
    expect(rows[4]![3]).toBe(0.5);
  });

  it.each([
    ["NaN", [1, 2, Number.NaN, 4], /index 2 is NaN/],
    ["Infinity", [1, Number.POSITIVE_INFINITY], /index 1 is Infinity/],
    ["-Infinity", [Number.NEGATIVE_INFINITY], /index 0 is -Infinity/],
    ["an empty series", [], /non-empty series, got 0 points/],
    ["a value past float32", [1, 1e39], /index 1 is 1e\+39: its feature value \(Infinity\) is outside the float32 range/],
    ["a difference past float32", [-3e38, 3e38], /index 1 is 3e\+38: its feature deviation \(Infinity\)/],
  ])("rejects %s naming the index and the value", (_label, values, message) => {
    expect(() => extractFeatures(values)).toThrow(expect.objectContaining({ name: "AnomalyError", code: "invalid_series", message: expect.stringMatching(message) }));
  });

  it("rejects windows that are not positive integers or a short window longer than the baseline", () => {
    expect(() => resolveFeatureOptions({ baselineWindow: 0 })).toThrow(/baselineWindow must be a positive integer, got 0/);
    expect(() => resolveFeatureOptions({ shortWindow: 2.5 })).toThrow(/shortWindow must be a positive integer, got 2.5/);
    expect(() => resolveFeatureOptions({ baselineWindow: 3, shortWindow: 4 })).toThrow(/shortWindow \(4\) must not exceed baselineWindow \(3\)/);
    expect(resolveFeatureOptions({ baselineWindow: 12 })).toEqual({ baselineWindow: 12, shortWindow: 5 });
    expect(resolveFeatureOptions({ baselineWindow: 3, shortWindow: undefined })).toEqual({ baselineWindow: 3, shortWindow: 3 });
  });
});
