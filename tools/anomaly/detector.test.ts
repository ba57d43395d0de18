import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AnomalyDetector } from "./detector.js";
import { trainAnomalyModel } from "./model.js";
import { syntheticMetricSeries } from "./synthetic.js";

const WINDOW = 30; // the default baseline window: points after an anomaly see it in their baseline

describe("AnomalyDetector", () => {
  let detector: AnomalyDetector;
  beforeAll(async () => {
    detector = await AnomalyDetector.load(trainAnomalyModel(syntheticMetricSeries({ length: 4000, seed: 1 }), { seed: 7 }));
  });
  afterAll(async () => {
    await detector.close();
  });

  /** Flagged points other than the anomalies and the baseline window each one spoils. */
  function falseAlarms(flagged: number[], anomalies: number[]): number[] {
    return flagged.filter((i) => i >= WINDOW && !anomalies.some((a) => i >= a && i <= a + WINDOW));
  }

  it("flags injected spikes in an unseen sine-plus-noise series and few normal points", async () => {
    const spikes = { 400: 2.5, 900: -2.5, 1500: 4 };
    const values = syntheticMetricSeries({ length: 2000, seed: 99, spikes });
    const { scores, flagged, threshold, warmup } = await detector.detect(values);
    expect(scores).toHaveLength(values.length);
    expect(threshold).toBe(detector.model.threshold);
    expect(warmup).toBe(WINDOW);
    expect(flagged).toEqual(expect.arrayContaining([400, 900, 1500]));
    expect(flagged).toEqual([...flagged].sort((a, b) => a - b));
    expect(falseAlarms(flagged, [400, 900, 1500]).length).toBeLessThan(0.03 * values.length);
  });

  it("flags a level shift where it starts", async () => {
    const values = syntheticMetricSeries({ length: 1500, seed: 5, levelShift: { at: 800, by: 1.5 } });
    const { flagged } = await detector.detect(values);
    expect(flagged.filter((i) => i >= 800 && i < 806).length).toBeGreaterThan(0);
    // After the shift every point is off the trained level; the normal points are those before it.
    expect(falseAlarms(flagged.filter((i) => i < 800), []).length).toBeLessThan(0.03 * 800);
  });

  it("scores a series as short as one point and rejects a bad value by index", async () => {
    expect(await detector.detect([10])).toMatchObject({ scores: [expect.any(Number)], warmup: 1 });
    await expect(detector.detect([10, 10.1, Number.NaN])).rejects.toThrow(/series value at index 2 is NaN/);
  });
});
