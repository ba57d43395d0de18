import type { AbTestFinding, Guardrail, SignalContract } from "../../core/index.js";
import { fmt } from "./tool-support.js";

/** The candidate must beat the champion on the signal metric by more than this (relative). */
const MIN_RELATIVE_GAIN = 0.005;
/** A guardrail metric may be at most this much (relative) worse than the champion's. */
const MAX_GUARDRAIL_REGRESSION = 0.1;

/** One compared metric with how it is judged. */
export interface VariantRow {
  metric: string;
  champion: number | null;
  candidate: number | null;
  direction: SignalContract["direction"];
  /** Whether this is the signal's own metric. */
  isSignal: boolean;
  /** The guardrails on this metric (the signal's metric can be one too). */
  guardrails: Guardrail[];
}

/** The verdict of an A/B comparison with the reasons behind it. */
export interface AbDecision {
  metrics: AbTestFinding["metrics"];
  winner: AbTestFinding["winner"];
  reasons: string[];
}

/** Which variant does better on one metric, by its direction. */
function better(row: Pick<VariantRow, "champion" | "candidate" | "direction">): AbTestFinding["metrics"][number]["better"] {
  if (row.champion === null || row.candidate === null) return "unknown";
  if (row.champion === row.candidate) return "equal";
  const candidateHigher = row.candidate > row.champion;
  return candidateHigher === (row.direction === "higher_is_better") ? "candidate" : "champion";
}

/**
 * Decides the A/B test. The champion wins on a worse signal metric or a guardrail regression
 * (more than 10% worse than the champion, or over its absolute limit); the candidate wins when its
 * signal metric is better by more than 0.5% and every guardrail holds; anything else, including
 * missing data, is inconclusive.
 */
export function decideAbTest(rows: VariantRow[]): AbDecision {
  const reasons: string[] = [];
  const metrics = rows.map((r) => ({ metric: r.metric, champion: r.champion, candidate: r.candidate, better: better(r) }));
  const signal = rows.find((r) => r.isSignal);
  if (!signal || signal.champion === null || signal.candidate === null) {
    const from = [signal?.champion === null ? "champion" : "", signal?.candidate === null ? "candidate" : ""].filter(Boolean).join(" and ");
    return { metrics, winner: "inconclusive", reasons: [`no data for ${signal?.metric ?? "the signal metric"} from the ${from || "variants"}`] };
  }
  for (const row of rows) {
    if (row.champion === null || row.candidate === null) continue;
    for (const g of row.guardrails) {
      if (row.candidate > g.above) reasons.push(`${row.metric} of the candidate ${fmt(row.candidate)} is over its limit ${fmt(g.above)} (${g.title})`);
      else if (row.candidate > row.champion * (1 + MAX_GUARDRAIL_REGRESSION)) {
        reasons.push(`${row.metric} of the candidate ${fmt(row.candidate)} is more than 10% worse than the champion's ${fmt(row.champion)}`);
      }
    }
  }
  const gain = relativeGain(signal.champion, signal.candidate, signal.direction);
  if (gain < 0) reasons.push(`${signal.metric} of the candidate ${fmt(signal.candidate)} is worse than the champion's ${fmt(signal.champion)}`);
  if (reasons.length > 0) return { metrics, winner: "champion", reasons };
  const missing = rows.filter((r) => r.champion === null || r.candidate === null).map((r) => r.metric);
  if (missing.length > 0) return { metrics, winner: "inconclusive", reasons: [`no data for ${missing.join(", ")} from one of the variants`] };
  if (gain > MIN_RELATIVE_GAIN) {
    return { metrics, winner: "candidate", reasons: [`${signal.metric} is ${(gain * 100).toFixed(1)}% better and every guardrail holds`] };
  }
  const within = `${signal.metric} differs by ${(gain * 100).toFixed(2)}%, within the ${MIN_RELATIVE_GAIN * 100}% needed`;
  return { metrics, winner: "inconclusive", reasons: [within] };
}

/** How much better the candidate is, relative to the champion, in the metric's direction. */
function relativeGain(champion: number, candidate: number, direction: VariantRow["direction"]): number {
  const diff = direction === "higher_is_better" ? candidate - champion : champion - candidate;
  if (diff === 0) return 0;
  return champion === 0 ? Math.sign(diff) * Infinity : diff / Math.abs(champion);
}
