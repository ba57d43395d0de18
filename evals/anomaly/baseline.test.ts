import { describe, expect, it } from "vitest";
import { createWindowedGaussianDetector, normalTail } from "./baseline.js";
import { suppressRepeats } from "./detector.js";

const series = (values: number[]) => ({ timestamps: values.map((_, i) => new Date(i * 60_000)), values });
// A deterministic wobble between -1 and 1: mean 0, population standard deviation 1/√2 over whole periods.
const wave = (n: number) => Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * i) / 20));

describe("normalTail", () => {
  it("is the standard normal upper tail", () => {
    expect(normalTail(0)).toBeCloseTo(0.5, 7);
    expect(normalTail(1.959964)).toBeCloseTo(0.025, 7);
    expect(normalTail(3.719016)).toBeCloseTo(1e-4, 9);
    expect(normalTail(-1.959964)).toBeCloseTo(0.975, 7);
  });
});

describe("createWindowedGaussianDetector", () => {
  it("flags a value far outside the window before it and nothing in a steady wobble", async () => {
    const values = wave(400);
    values[300] = 10;
    const { flagged, scores } = await createWindowedGaussianDetector({ window: 200, suppress: 0 }).detect(series(values), 60);
    // Row 1 is measured against one value (deviation 1e-6) and flagged, as in NAB; it lies in any probation.
    expect(flagged.flatMap((f, i) => (f ? [i] : []))).toEqual([1, 300]);
    expect(scores[300]).toBeGreaterThan(0.9999);
    expect(scores[0]).toBe(0);
    expect(Math.max(...scores.filter((_, i) => i !== 300 && i >= 20))).toBeLessThan(0.999);
  });

  it("compares each value with the mean and deviation of the window before it, as its score shows", async () => {
    // After [0, 2] the mean is 1 and the deviation 1; 4 lies 3 deviations above: 1 - Q(3).
    const { scores } = await createWindowedGaussianDetector({ window: 2 }).detect(series([0, 2, 4]), 0);
    expect(scores[2]).toBeCloseTo(1 - normalTail(3), 12);
    expect(scores[1]).toBeCloseTo(1 - normalTail(2 / 1e-6), 12);
  });

  it("treats a flat window as a deviation of 1e-6, as NAB does, and does not flag a flat line", async () => {
    const flat = await createWindowedGaussianDetector().detect(series(Array.from({ length: 50 }, () => 7)), 0);
    expect(flat.flagged.includes(true)).toBe(false);
    const step = await createWindowedGaussianDetector({ suppress: 0 }).detect(series([...Array.from({ length: 50 }, () => 7), 7.01]), 0);
    expect(step.flagged[50]).toBe(true);
  });
});

describe("suppressRepeats", () => {
  it("keeps a flag only when no kept flag lies within the given rows before it", () => {
    const flags = [true, true, false, true, false, false, true, true];
    expect(suppressRepeats(flags, 2)).toEqual([true, false, false, true, false, false, true, false]);
    expect(suppressRepeats(flags, 0)).toEqual(flags);
  });
});
