import { suppressRepeats, type Detection, type Series, type SeriesDetector } from "./detector.js";

/** The fixed parameters of the windowed Gaussian baseline. */
export interface WindowedGaussianOptions {
  /** How many preceding values the mean and standard deviation are taken over (NAB's windowedGaussian: 1000). */
  window: number;
  /** A value is flagged when the Gaussian tail probability beyond it is below this. */
  tailProbability: number;
  /** Flags within this many rows after a kept flag are dropped (see suppressRepeats). */
  suppress: number;
}

/** The baseline's documented defaults, the same on every file (docs/anomaly-evaluation.md). */
export const WINDOWED_GAUSSIAN_DEFAULTS: Readonly<WindowedGaussianOptions> = { window: 1000, tailProbability: 1e-3, suppress: 300 };

/**
 * NAB's windowedGaussian detector: each value is compared with the mean and (population) standard
 * deviation of up to `window` values before it, and its score is 1 − Q(|z|), Q the normal tail
 * probability. It learns online from past values only, so it needs no training rows; `trainCount`
 * is unused. As in NAB, a zero deviation counts as 1e-6 and the first value scores 0.
 */
export function createWindowedGaussianDetector(options: Partial<WindowedGaussianOptions> = {}): SeriesDetector {
  const { window, tailProbability, suppress } = { ...WINDOWED_GAUSSIAN_DEFAULTS, ...options };
  return {
    name: `windowed-gaussian(window=${window}, p<${tailProbability}, suppress=${suppress})`,
    async detect(series: Series): Promise<Detection> {
      const { values } = series;
      const scores: number[] = [];
      const raw: boolean[] = [];
      for (let i = 0; i < values.length; i++) {
        if (i === 0) {
          scores.push(0);
          raw.push(false);
          continue;
        }
        const past = values.slice(Math.max(0, i - window), i);
        const mean = past.reduce((a, b) => a + b, 0) / past.length;
        const std = Math.sqrt(past.reduce((a, b) => a + (b - mean) ** 2, 0) / past.length) || 1e-6;
        const tail = normalTail(Math.abs(values[i]! - mean) / std);
        scores.push(1 - tail);
        raw.push(tail < tailProbability);
      }
      return { scores, flagged: suppressRepeats(raw, suppress) };
    },
  };
}

/** Q(z) = P(Z > z) for a standard normal Z: erfc(z/√2)/2. */
export function normalTail(z: number): number {
  return erfc(z / Math.SQRT2) / 2;
}

// Complementary error function by the Chebyshev fit of Numerical Recipes (erfcc): relative error
// below 1.2e-7 everywhere, which holds for the tiny tail probabilities compared here.
function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const poly =
    -x * x -
    1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}
