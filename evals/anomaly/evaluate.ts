import { AutopilotError, errorMessage } from "../../core/index.js";
import type { SeriesDetector } from "./detector.js";
import type { NabCorpus, NabSeries } from "./nab-corpus.js";
import { normalizeNabScore, probationaryLength, scoreNabFile, type NabFileScore } from "./nab-score.js";
import { addWindowCounts, countWindowHits, windowScores, type WindowCounts, type WindowScores } from "../../tools/anomaly/index.js";

/** A detector that failed on a series, or whose answer does not fit it; the message names the detector and the file. */
export class DetectorRunError extends AutopilotError {
  override name = "DetectorRunError";
}

/** One detector on one file. */
export interface FileResult {
  key: string;
  counts: WindowCounts;
  scores: WindowScores;
  /** The raw NAB score of the file per profile. */
  nab: Record<string, NabFileScore>;
  /** NAB's normalisation applied to this file alone with the standard profile; null for a file with no windows. */
  nabStandard: number | null;
}

/** One detector over a corpus. */
export interface DetectorEvaluation {
  detector: string;
  files: FileResult[];
  /** Counts summed over the files; scores micro-averaged from them. */
  counts: WindowCounts;
  scores: WindowScores;
  /** The normalised corpus NAB score per profile (null when the corpus has no label windows). */
  nabScores: Record<string, number | null>;
}

/**
 * Runs `detector` on every labelled series of `corpus` with the probationary length as its training
 * rows, then scores its flags: NAB's score under every profile of the corpus, and precision, recall
 * and F1 over label windows. Files run one after another, so a detector may hold one model at a time.
 */
export async function evaluateDetector(corpus: NabCorpus, detector: SeriesDetector): Promise<DetectorEvaluation> {
  const files: FileResult[] = [];
  for (const series of corpus.series) {
    const flagged = await detectChecked(detector, series);
    const nab: Record<string, NabFileScore> = {};
    for (const [profile, costs] of Object.entries(corpus.profiles)) nab[profile] = scoreNabFile(flagged, series.windows, costs);
    const standard = nab.standard!;
    const counts = countWindowHits(flagged, series.windows, standard.probation);
    const nullRaw = -standard.scoredWindows * corpus.profiles.standard!.fnWeight;
    files.push({ key: series.key, counts, scores: windowScores(counts), nab, nabStandard: normalizeNabScore(standard.raw, nullRaw, series.windows.length, corpus.profiles.standard!) });
  }
  const counts = addWindowCounts(files.map((f) => f.counts));
  const labelWindows = corpus.series.reduce((n, s) => n + s.windows.length, 0);
  const nabScores: Record<string, number | null> = {};
  for (const [profile, costs] of Object.entries(corpus.profiles)) {
    const raw = files.reduce((sum, f) => sum + f.nab[profile]!.raw, 0);
    // The null detector flags nothing: it loses fnWeight on every window NAB scores and nothing else.
    const nullRaw = -files.reduce((n, f) => n + f.nab[profile]!.scoredWindows, 0) * costs.fnWeight;
    nabScores[profile] = normalizeNabScore(raw, nullRaw, labelWindows, costs);
  }
  return { detector: detector.name, files, counts, scores: windowScores(counts), nabScores };
}

async function detectChecked(detector: SeriesDetector, series: NabSeries): Promise<boolean[]> {
  const trainCount = Math.ceil(probationaryLength(series.values.length));
  const where = { detector: detector.name, file: series.key };
  const { flagged, scores } = await detector.detect({ timestamps: series.timestamps, values: series.values }, trainCount).catch((error: unknown) => {
    throw new DetectorRunError("detector_failed", `${detector.name} on ${series.key}: ${errorMessage(error)}`, { details: where, cause: error });
  });
  for (const [what, list] of [["flagged", flagged], ["scores", scores]] as const) {
    if (list.length !== series.values.length) {
      throw new DetectorRunError("detector_output_invalid", `${detector.name} on ${series.key}: ${list.length} ${what}, expected one per row (${series.values.length})`, {
        details: { ...where, field: what },
      });
    }
  }
  return flagged;
}
