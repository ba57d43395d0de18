import { AnomalyError } from "./anomaly-error.js";

/**
 * Features of a metric series, one row per point, computed from that point and the points before it
 * (never after), so a live window is featurised exactly like the training history.
 */

/** How the features look back: window lengths in points. */
export interface FeatureOptions {
  /** Points in the rolling baseline the deviation and the spread are measured against (default 30). */
  baselineWindow: number;
  /** Points in the short mean compared with the baseline mean (default 5, or baselineWindow if shorter). */
  shortWindow: number;
}

/** The defaults every model trained without feature options records. */
export const DEFAULT_FEATURE_OPTIONS: Readonly<FeatureOptions> = Object.freeze({ baselineWindow: 30, shortWindow: 5 });

/**
 * The feature columns, in row order. With x the series, w = baselineWindow, s = shortWindow and
 * B(i) = x[max(0, i-w) .. i-1] the baseline before point i (fewer than w points near the start):
 * - `value`: x[i];
 * - `deviation`: x[i] - mean(B(i)) (0 at i = 0, where there is no baseline);
 * - `delta`: x[i] - x[i-1] (0 at i = 0);
 * - `baseline_std`: the population standard deviation of B(i) (0 with fewer than 2 points);
 * - `short_vs_long`: mean(x[max(0, i-s+1) .. i]) - mean(B(i)) (0 at i = 0).
 */
export const FEATURE_NAMES: readonly string[] = Object.freeze(["value", "deviation", "delta", "baseline_std", "short_vs_long"]);

/** Features of a series: `featureCount` float32 values per point, row-major, one row per input point. */
export interface FeatureRows {
  rows: Float32Array;
  featureCount: number;
}

/**
 * The feature options with defaults filled in (a short window longer than a given baseline defaults
 * to the baseline), checked: whole windows, the short one no longer than the baseline.
 */
export function resolveFeatureOptions(options: Partial<FeatureOptions> = {}): FeatureOptions {
  const baselineWindow = options.baselineWindow ?? DEFAULT_FEATURE_OPTIONS.baselineWindow;
  const resolved = { baselineWindow, shortWindow: options.shortWindow ?? Math.min(DEFAULT_FEATURE_OPTIONS.shortWindow, baselineWindow) };
  for (const key of ["baselineWindow", "shortWindow"] as const) {
    const n = resolved[key];
    if (!Number.isInteger(n) || n < 1) {
      throw new AnomalyError("invalid_options", `feature option ${key} must be a positive integer, got ${n}`, { details: { option: key, value: n } });
    }
  }
  if (resolved.shortWindow > resolved.baselineWindow) {
    throw new AnomalyError("invalid_options", `feature option shortWindow (${resolved.shortWindow}) must not exceed baselineWindow (${resolved.baselineWindow})`, {
      details: { option: "shortWindow", value: resolved.shortWindow },
    });
  }
  return resolved;
}

/** Throws naming the first index whose value is not a finite number, or that the series is empty. */
export function assertFiniteSeries(values: readonly number[]): void {
  if (values.length === 0) throw new AnomalyError("invalid_series", "anomaly detection needs a non-empty series, got 0 points", { details: { length: 0 } });
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new AnomalyError("invalid_series", `series value at index ${i} is ${String(v)}, expected a finite number`, { details: { index: i, value: String(v) } });
    }
  }
}

/**
 * The feature rows of `values` (definitions in FEATURE_NAMES). The first points use the shorter
 * baseline they have (an expanding window), so every point gets a row and later a score.
 * Computed in float64, stored as float32: both scorers read the same float32 rows.
 */
export function extractFeatures(values: readonly number[], options?: Partial<FeatureOptions>): FeatureRows {
  const { baselineWindow: w, shortWindow: s } = resolveFeatureOptions(options);
  assertFiniteSeries(values);
  const featureCount = FEATURE_NAMES.length;
  const rows = new Float32Array(values.length * featureCount);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    const start = Math.max(0, i - w);
    const count = i - start;
    const out = i * featureCount;
    rows[out] = x;
    if (count === 0) {
      assertFloat32Row(rows, i, x, featureCount); // the first point has no baseline: the other features stay 0
      continue;
    }
    const mean = meanOf(values, start, i);
    rows[out + 1] = x - mean;
    rows[out + 2] = x - values[i - 1]!;
    rows[out + 3] = count < 2 ? 0 : stdAround(values, start, i, mean);
    rows[out + 4] = meanOf(values, Math.max(0, i - s + 1), i + 1) - mean;
    assertFloat32Row(rows, i, x, featureCount);
  }
  return { rows, featureCount };
}

// A finite float64 can still overflow float32 (|x| > 3.4e38), directly or in a difference.
function assertFloat32Row(rows: Float32Array, i: number, x: number, featureCount: number): void {
  for (let f = 0; f < featureCount; f++) {
    const v = rows[i * featureCount + f]!;
    if (!Number.isFinite(v)) {
      throw new AnomalyError("invalid_series", `series value at index ${i} is ${x}: its feature ${FEATURE_NAMES[f]} (${v}) is outside the float32 range the model reads`, {
        details: { index: i, value: String(x), feature: FEATURE_NAMES[f] },
      });
    }
  }
}

// Each window is summed directly (O(w) per point) rather than by running sums: running sums of
// squares lose every digit of the spread on series with a large level and a small variance.
function meanOf(values: readonly number[], from: number, to: number): number {
  let sum = 0;
  for (let j = from; j < to; j++) sum += values[j]!;
  return sum / (to - from);
}

function stdAround(values: readonly number[], from: number, to: number, mean: number): number {
  let squares = 0;
  for (let j = from; j < to; j++) {
    const d = values[j]! - mean;
    squares += d * d;
  }
  return Math.sqrt(squares / (to - from));
}
