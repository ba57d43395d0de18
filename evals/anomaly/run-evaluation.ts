import type { SeriesDetector } from "./detector.js";
import { evaluateDetector } from "./evaluate.js";
import { loadNabCorpus } from "./nab-corpus.js";
import { NabCorpusError } from "./nab-csv.js";
import { formatReport, summarize, type EvaluationSummary } from "./report.js";

/** The two detectors an evaluation compares, and where its lines go. */
export interface NabRunOptions {
  detector: SeriesDetector;
  baseline: SeriesDetector;
  /** Receives each printed block; the last call is the summary JSON line. */
  write: (text: string) => void;
}

/**
 * Evaluates `detector` and `baseline` on a folder in NAB's layout: writes which files were read, the
 * per-file table and corpus summary, then (last) one JSON line, and returns that line's object.
 */
export async function runNabEvaluation(folder: string, { detector, baseline, write }: NabRunOptions): Promise<EvaluationSummary> {
  const corpus = await loadNabCorpus(folder);
  if (corpus.series.length === 0) {
    throw new NabCorpusError(`${folder}: labels/combined_windows.json lists no files, so there is nothing to evaluate`, { file: "labels/combined_windows.json" });
  }
  const windows = corpus.series.reduce((n, s) => n + s.windows.length, 0);
  write(`NAB evaluation of ${folder}: ${corpus.series.length} files, ${windows} label windows, profiles ${Object.keys(corpus.profiles).join(", ")}`);
  if (corpus.unlabelled.length > 0) write(`not evaluated (no entry in labels/combined_windows.json): ${corpus.unlabelled.join(", ")}`);
  const detected = await evaluateDetector(corpus, detector);
  const base = await evaluateDetector(corpus, baseline);
  write(formatReport(detected, base));
  const summary = summarize(detected, base);
  write(JSON.stringify(summary));
  return summary;
}
