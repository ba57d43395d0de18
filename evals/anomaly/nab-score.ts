/**
 * NAB's scoring, as nab/sweeper.py (calcSweepScore, calcScoreByThreshold) and nab/runner.py
 * (normalize) do it at numenta/NAB ea702d75, for detections that are already yes/no per row.
 */

/** The weights of one NAB application profile (config/profiles.json `CostMatrix`; tnWeight is unused by NAB). */
export interface CostMatrix {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

/** NAB's three profiles as config/profiles.json gives them at the pinned commit. */
export const NAB_PROFILES: Readonly<Record<"standard" | "reward_low_FP_rate" | "reward_low_FN_rate", CostMatrix>> = {
  standard: { tpWeight: 1.0, fpWeight: 0.11, fnWeight: 1.0 },
  reward_low_FP_rate: { tpWeight: 1.0, fpWeight: 0.22, fnWeight: 1.0 },
  reward_low_FN_rate: { tpWeight: 1.0, fpWeight: 0.11, fnWeight: 2.0 },
};

/** NAB's probationary share of each file. */
export const NAB_PROBATION_PERCENT = 0.15;

/** Rows NAB leaves out at the start of a file: 15% of it, but never more than 750 rows (nab/util.py getProbationPeriod). */
export function probationaryLength(rows: number, percent = NAB_PROBATION_PERCENT): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

/**
 * NAB's scaled sigmoid of a relative position: -1 is a window's left edge (0.98661), 0 its right
 * edge (0), positive values lie past it (towards -1); from 3 on it is exactly -1.
 */
export function scaledSigmoid(position: number): number {
  if (position >= 3.0) return -1.0;
  return 2 / (1 + Math.exp(5 * position)) - 1;
}

/** Row ranges (inclusive) of the label windows of one file, in time order. */
import type { WindowRows } from "../../tools/anomaly/index.js";
export type { WindowRows };

/** The raw NAB score of one file and what it is made of. */
export interface NabFileScore {
  /** tp + fp + fn: the file's contribution to the corpus score. */
  raw: number;
  /** Sum of the scaled-sigmoid rewards of the windows' earliest detections. */
  tp: number;
  /** Sum of the (negative) weighted sigmoids of the detections outside windows. */
  fp: number;
  /** -fnWeight for each missed window. */
  fn: number;
  /** Windows that reach past the probationary period: the ones NAB scores. */
  scoredWindows: number;
  /** Scored windows with at least one detection after the probationary period. */
  detectedWindows: number;
  /** Flagged rows after the probationary period and outside every window. */
  fpRows: number;
  /** Rows ignored at the start. */
  probation: number;
}

/**
 * Scores one file's detections as NAB's Sweeper does at a threshold: rows in the probationary period
 * are ignored; each window earns tpWeight·S(-(end-i+1)/width)/S(-1) for its earliest detection i, or
 * -fnWeight when it has none; each detection outside a window costs fpWeight·S(|i-prevEnd|/(prevWidth-1))
 * after a window and -fpWeight before the first one.
 */
export function scoreNabFile(flagged: readonly boolean[], windows: readonly WindowRows[], costs: CostMatrix, probationPercent = NAB_PROBATION_PERCENT): NabFileScore {
  const probation = probationaryLength(flagged.length, probationPercent);
  const maxTp = scaledSigmoid(-1.0);
  // The reward of each window's earliest detection; NAB keeps the maximum, which is the earliest.
  const rewards: (number | undefined)[] = windows.map(() => undefined);
  let fp = 0;
  let fpRows = 0;
  let next = 0; // the first window that does not end before row i
  for (let i = Math.ceil(probation); i < flagged.length; i++) {
    while (next < windows.length && windows[next]!.endIndex < i) next++;
    if (!flagged[i]) continue;
    const window = windows[next];
    if (window && window.startIndex <= i) {
      const width = window.endIndex - window.startIndex + 1;
      const reward = (scaledSigmoid(-(window.endIndex - i + 1) / width) * costs.tpWeight) / maxTp;
      rewards[next] = Math.max(rewards[next] ?? -Infinity, reward);
    } else {
      fp += scaledSigmoid(distancePastWindow(windows[next - 1], i)) * costs.fpWeight;
      fpRows++;
    }
  }
  // A window entirely inside the probationary period is never scored, not even as a miss.
  const scored = windows.map((w, k) => ({ scored: w.endIndex >= probation, reward: rewards[k] })).filter((w) => w.scored);
  const detected = scored.filter((w) => w.reward !== undefined);
  const tp = detected.reduce((sum, w) => sum + w.reward!, 0);
  const fn = (detected.length - scored.length) * costs.fnWeight;
  return { raw: tp + fp + fn, tp, fp, fn, scoredWindows: scored.length, detectedWindows: detected.length, fpRows, probation };
}

// NAB divides by (width - 1), which fails for a one-row window; the older nab/scorer.py used a
// distance of 2 there, and so does this.
function distancePastWindow(previous: WindowRows | undefined, i: number): number {
  if (!previous) return 3.0;
  const width = previous.endIndex - previous.startIndex + 1;
  return width <= 1 ? 2.0 : Math.abs(previous.endIndex - i) / (width - 1);
}

/**
 * NAB's normalised corpus score, 100·(raw − null)/(perfect − null): raw and null are sums of file
 * scores of the detector and of a detector that flags nothing, perfect is tpWeight per label window.
 * Null when the corpus has no windows (perfect equals null and NAB's formula divides by zero).
 */
export function normalizeNabScore(raw: number, nullRaw: number, labelWindows: number, costs: CostMatrix): number | null {
  const perfect = labelWindows * costs.tpWeight;
  if (perfect === nullRaw) return null;
  return (100 * (raw - nullRaw)) / (perfect - nullRaw);
}
