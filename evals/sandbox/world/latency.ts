/**
 * Request latency as a log-normal distribution with a fixed spread, placed so that its 95th
 * percentile is the world's p95. The raw histogram, its sum and the p95 series all derive from it,
 * so `histogram_quantile(0.95, ...)` over the buckets lands in the same bucket as the p95 series.
 */

/** Upper bounds of the request-duration histogram, in seconds (+Inf is implied). */
export const LATENCY_BUCKETS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.25, 1.5, 2, 2.5] as const;

/** Spread of log latency. */
export const LATENCY_SIGMA = 0.35;

const Z95 = 1.6448536269514722;

/** Share of requests faster than `x` seconds when the p95 is `p95`. */
export function latencyCdf(x: number, p95: number): number {
  if (x <= 0) return 0;
  if (!Number.isFinite(x)) return 1;
  const median = p95 / Math.exp(Z95 * LATENCY_SIGMA);
  return normalCdf(Math.log(x / median) / LATENCY_SIGMA);
}

/** Mean latency when the p95 is `p95`. */
export function latencyMean(p95: number): number {
  const median = p95 / Math.exp(Z95 * LATENCY_SIGMA);
  return median * Math.exp((LATENCY_SIGMA * LATENCY_SIGMA) / 2);
}

/** The `q` quantile of a traffic mix of variants with their own p95, by bisection on the mixed CDF. */
export function mixtureQuantile(q: number, parts: readonly { weight: number; p95: number }[]): number {
  const live = parts.filter((p) => p.weight > 0);
  if (live.length === 0) return NaN;
  if (live.length === 1 && q === 0.95) return live[0]!.p95;
  const total = live.reduce((sum, p) => sum + p.weight, 0);
  const cdf = (x: number) => live.reduce((sum, p) => sum + p.weight * latencyCdf(x, p.p95), 0) / total;
  let lo = 1e-6;
  let hi = Math.max(...live.map((p) => p.p95)) * 10;
  for (let i = 0; i < 80; i++) {
    const mid = Math.sqrt(lo * hi);
    if (cdf(mid) < q) lo = mid;
    else hi = mid;
  }
  return Math.sqrt(lo * hi);
}

/** The standard normal CDF (Abramowitz-Stegun 7.1.26 through erf, error under 2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
