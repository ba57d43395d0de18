/**
 * Drift of live feature rows against the training distribution, by the population stability index.
 */
import { AnomalyError } from "./anomaly-error.js";
import { rowCount } from "./reference-scorer.js";

/** One feature's training distribution: bin edges and the share of training rows in each bin. */
export interface FeatureBins {
  name: string;
  /**
   * Ascending interior edges from the training quantiles (duplicates removed, so a feature with
   * many equal values has fewer bins): bin 0 is x < edges[0], bin k is edges[k-1] <= x < edges[k],
   * the last bin is x >= the last edge.
   */
  edges: number[];
  /** The share of training rows in each bin (edges.length + 1 shares summing to 1). */
  expected: number[];
}

/** The training distribution of every feature, stored with the model for the PSI. */
export interface FeatureProfile {
  /** Bins requested per feature (deciles by default). */
  bins: number;
  features: FeatureBins[];
}

/** Bins requested per feature when a profile is built. */
export const DEFAULT_PROFILE_BINS = 10;

/** A share below this counts as this in the PSI, so an empty bin adds a large but finite term. */
export const PSI_EPSILON = 1e-4;

/** The profile of training rows: per feature, edges at the 1/bins .. (bins-1)/bins quantiles. */
export function buildFeatureProfile(rows: Float32Array, names: readonly string[], bins = DEFAULT_PROFILE_BINS): FeatureProfile {
  const count = rowCount(rows, names.length);
  const features = names.map((name, f) => {
    const column = featureColumn(rows, names.length, f).sort();
    const edges: number[] = [];
    for (let k = 1; k < bins; k++) {
      const edge = column[Math.min(count - 1, Math.floor((k * count) / bins))]!;
      if (edge > (edges[edges.length - 1] ?? -Infinity)) edges.push(edge);
    }
    return { name, edges, expected: binShares(column, edges) };
  });
  return { bins, features };
}

/**
 * The population stability index of `rows` against `profile`, per feature and overall:
 * PSI = Σ_bins (actual - expected) · ln(actual / expected), with shares below PSI_EPSILON raised to it.
 * The overall `psi` is the largest per-feature PSI (one drifting feature is drift). The usual
 * reading: below 0.1 no shift, 0.1 to 0.25 a moderate shift worth watching, above 0.25 a
 * significant shift (retrain).
 */
export function populationStabilityIndex(profile: FeatureProfile, rows: Float32Array): { psi: number; perFeature: Record<string, number> } {
  const featureCount = profile.features.length;
  if (rowCount(rows, featureCount) === 0) throw new AnomalyError("invalid_rows", "the population stability index needs at least one row", { details: { rows: 0 } });
  const perFeature: Record<string, number> = {};
  let psi = 0;
  profile.features.forEach((bins, f) => {
    const actual = binShares(featureColumn(rows, featureCount, f).sort(), bins.edges);
    let value = 0;
    for (let k = 0; k < actual.length; k++) {
      const a = Math.max(actual[k]!, PSI_EPSILON);
      const e = Math.max(bins.expected[k] ?? 0, PSI_EPSILON);
      value += (a - e) * Math.log(a / e);
    }
    perFeature[bins.name] = value;
    psi = Math.max(psi, value);
  });
  return { psi, perFeature };
}

function featureColumn(rows: Float32Array, featureCount: number, f: number): Float32Array {
  const column = new Float32Array(rows.length / featureCount);
  for (let r = 0; r < column.length; r++) column[r] = rows[r * featureCount + f]!;
  return column;
}

// Shares of an ascending column in the bins `edges` bound; one pass, since both are sorted.
function binShares(sorted: Float32Array, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  let bin = 0;
  for (const v of sorted) {
    while (bin < edges.length && v >= edges[bin]!) bin++;
    counts[bin]!++;
  }
  return counts.map((c) => (sorted.length === 0 ? 0 : c / sorted.length));
}
