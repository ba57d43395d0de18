/**
 * A seeded synthetic metric (a daily-like sine plus Gaussian noise) with optional injected
 * anomalies, for the detector's tests and benchmark and for demos.
 */
import { gaussian, mulberry32 } from "../dvc/prng.js";

/** The shape of a synthetic series; everything but length and seed has a default. */
export interface SyntheticSeriesOptions {
  length: number;
  seed: number;
  /** Points per sine cycle (default 100). */
  period?: number;
  /** Sine amplitude (default 1). */
  amplitude?: number;
  /** Standard deviation of the Gaussian noise (default 0.1). */
  noise?: number;
  /** Constant added to every point (default 10). */
  level?: number;
  /** Index -> amount added at that one point. */
  spikes?: Record<number, number>;
  /** From `at` on, `by` is added to every point. */
  levelShift?: { at: number; by: number };
}

/** The series the options describe; the same options always give the same numbers. */
export function syntheticMetricSeries(options: SyntheticSeriesOptions): number[] {
  const { length, seed, period = 100, amplitude = 1, noise = 0.1, level = 10, spikes = {}, levelShift } = options;
  const rng = mulberry32(seed);
  return Array.from({ length }, (_, i) => {
    let v = level + amplitude * Math.sin((2 * Math.PI * i) / period) + noise * gaussian(rng);
    if (levelShift && i >= levelShift.at) v += levelShift.by;
    return v + (spikes[i] ?? 0);
  });
}
