/**
 * Labelled evaluation data for a detector retrained by the loop: anomalies of known kinds injected
 * at known places into held-out normal data (a spike, a level shift, a dip, a burst of variance),
 * each with its label window; window-metrics.ts scores a detector's flags over them.
 */
import { gaussian, mulberry32 } from "../dvc/prng.js";
import type { WindowRows } from "./window-metrics.js";

/** Held-out values with anomalies injected, and where they are. */
export interface LabelledSeries {
  values: number[];
  windows: WindowRows[];
  kinds: string[];
}

/** Points between injected anomalies; the first one comes after a detector's warm-up. */
export const INJECTION_SPACING = 90;

/**
 * Injects one anomaly every INJECTION_SPACING points (after the first `warmup` points), cycling
 * through spike, level shift, dip and variance burst, sized in robust standard deviations of
 * `values` (1.4826 MAD) so they stand out of noise of any scale. Deterministic for a seed.
 */
export function injectAnomalies(values: readonly number[], options: { seed: number; warmup?: number; sigmas?: number }): LabelledSeries {
  const rng = mulberry32(options.seed);
  const scale = robustSigma(values);
  const size = (options.sigmas ?? 6) * scale;
  const out = [...values];
  const windows: WindowRows[] = [];
  const kinds: string[] = [];
  const kindsCycle = ["spike", "level_shift", "dip", "variance"] as const;
  for (let at = (options.warmup ?? 40) + 10, k = 0; at + 20 < out.length; at += INJECTION_SPACING, k++) {
    const kind = kindsCycle[k % kindsCycle.length]!;
    const length = kind === "spike" || kind === "dip" ? 1 : 12;
    for (let i = at; i < at + length; i++) {
      if (kind === "spike") out[i]! += size;
      else if (kind === "dip") out[i]! -= size;
      else if (kind === "level_shift") out[i]! += size * 0.75;
      else out[i]! += gaussian(rng) * size * 0.75;
    }
    windows.push({ startIndex: at, endIndex: at + length - 1 });
    kinds.push(kind);
  }
  return { values: out, windows, kinds };
}

function robustSigma(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const deviations = values.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
  const mad = deviations[Math.floor(deviations.length / 2)] ?? 0;
  // A flat series has no spread: fall back to a share of its level so the anomalies still show.
  return mad > 0 ? 1.4826 * mad : Math.max(Math.abs(median) * 0.01, 1e-6);
}
