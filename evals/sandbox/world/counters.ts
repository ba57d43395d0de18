import { latencyCdf, latencyMean } from "./latency.js";
import type { World } from "./world.js";

/** Counter series of the raw metrics: requests, errors and the request-duration histogram. */
export const COUNTER_NAMES: readonly string[] = [
  "search_requests_total",
  "search_request_errors_total",
  "search_request_duration_seconds_bucket",
  "search_request_duration_seconds_sum",
  "search_request_duration_seconds_count",
];

/** How long a series that stopped being exported stays visible (Prometheus' lookback). */
const STALENESS_MS = 5 * 60_000;

interface Part {
  variant: "champion" | "candidate";
  rps: number;
  p95: number;
  errorRate: number;
}

interface Segment {
  from: number;
  to: number;
  parts: Part[];
}

/** Cumulative counters of a world: integrals of traffic over the piecewise-constant serving history. */
export interface Counters {
  /** The variants whose counters are exported at `t`. */
  variantsPresentAt(t: number): ("champion" | "candidate")[];
  /** The value of counter `name` for `variant` (and bucket `le`) at `t`. */
  value(name: string, variant: string, le: string | undefined, t: number): number;
}

/**
 * Creates the counters of a world. The state that drives them (who serves, at which latency and
 * error rate) only changes at events, deployments and hidden-regression onsets, so a counter is a
 * sum over those segments; noise stays out of counters so they never decrease.
 */
export function createCounters(world: World): Counters {
  let cached: { key: string; segments: Segment[] } | null = null;
  const after = (world.scenario.rollout?.hidden_latency_regression?.after_minutes ?? 0) * 60_000;

  function segments(): Segment[] {
    const deployments = world.deploymentTimes();
    const key = deployments.join(",");
    if (cached?.key === key) return cached.segments;
    const bounds = [...new Set([world.epochMs, ...world.eventTimes(), ...deployments, ...deployments.map((d) => d + after)])]
      .filter((b) => b >= world.epochMs)
      .sort((a, b) => a - b);
    const rps = world.scenario.traffic_rps;
    const built = bounds.map((from, i): Segment => ({
      from,
      to: bounds[i + 1] ?? Number.POSITIVE_INFINITY,
      parts: world.variantsAt(from).map((v) => ({
        variant: v.variant,
        rps: rps * v.share,
        p95: world.latencyP95(v.model, from),
        errorRate: world.errorRate(v.model, from),
      })),
    }));
    cached = { key, segments: built };
    return built;
  }

  return {
    variantsPresentAt(t) {
      const served = (at: number) => world.servingAt(at).canary !== null;
      const recent = world.deploymentTimes().some((d) => d > t - STALENESS_MS && d <= t && served(d - 1));
      return served(t) || recent ? ["champion", "candidate"] : ["champion"];
    },
    value(name, variant, le, t) {
      let total = 0;
      for (const segment of segments()) {
        if (segment.from >= t) break;
        const part = segment.parts.find((p) => p.variant === variant);
        if (!part) continue;
        const requests = (part.rps * (Math.min(segment.to, t) - segment.from)) / 1000;
        total += requests * perRequest(name, part, le);
      }
      return total;
    },
  };
}

function perRequest(name: string, part: Part, le: string | undefined): number {
  switch (name) {
    case "search_request_errors_total":
      return part.errorRate;
    case "search_request_duration_seconds_bucket":
      return le === undefined ? 0 : latencyCdf(le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le), part.p95);
    case "search_request_duration_seconds_sum":
      return latencyMean(part.p95);
    default:
      return 1;
  }
}
