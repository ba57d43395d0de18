import { describe, expect, it } from "vitest";
import { injectAnomalies, INJECTION_SPACING } from "./labelled-windows.js";
import { countWindowHits, windowScores } from "./window-metrics.js";

/** Scores flagged row indices over windows the way the retraining gate does. */
const scoreWindows = (flagged: number[], windows: Array<[number, number]>, length = 100) => {
  const flags = Array.from({ length }, (_, i) => flagged.includes(i));
  const counts = countWindowHits(flags, windows.map(([startIndex, endIndex]) => ({ startIndex, endIndex })), 0);
  return { ...windowScores(counts), events: counts.events, windows: counts.windows };
};

const calm = Array.from({ length: 400 }, (_, i) => 10 + Math.sin(i / 7) * 0.2 + ((i * 7919) % 13) / 100);

describe("labelled held-out data", () => {
  it("injects one anomaly per spacing after the warm-up, cycling through the kinds, deterministically", () => {
    const a = injectAnomalies(calm, { seed: 3 });
    expect(a.kinds).toEqual(["spike", "level_shift", "dip", "variance"]);
    expect(a.windows[0]).toEqual({ startIndex: 50, endIndex: 50 });
    expect(a.windows[1]).toEqual({ startIndex: 50 + INJECTION_SPACING, endIndex: 50 + INJECTION_SPACING + 11 });
    expect(a.values[50]! - calm[50]!).toBeGreaterThan(0.5);
    expect(a.values[49]).toBe(calm[49]);
    expect(injectAnomalies(calm, { seed: 3 })).toEqual(a);
  });

  it("scores recall over windows and precision over runs of flagged points", () => {
    const windows: Array<[number, number]> = [[10, 12], [50, 50], [90, 99]];
    // Runs: [11,12] in a window, [30] outside, [95] in a window; the window at 50 is missed.
    const s = scoreWindows([11, 12, 30, 95], windows);
    expect(s).toMatchObject({ events: 3, windows: 3 });
    expect(s.recall).toBeCloseTo(2 / 3, 12);
    expect(s.precision).toBeCloseTo(2 / 3, 12);
    expect(scoreWindows([], windows)).toMatchObject({ precision: 0, recall: 0, f1: 0 });
  });
});
