import type { DetectorEvaluation } from "./evaluate.js";

/** The last line the evaluation prints, as JSON: the detector's corpus figures next to the baseline's NAB score. */
export interface EvaluationSummary {
  files: number;
  precision: number;
  recall: number;
  f1: number;
  /** The detector's normalised NAB score, standard profile; null when the corpus has no label windows. */
  nab_score: number | null;
  baseline_nab_score: number | null;
}

/** The summary JSON line's fields for a detector and the baseline run on the same corpus. */
export function summarize(detector: DetectorEvaluation, baseline: DetectorEvaluation): EvaluationSummary {
  return {
    files: detector.files.length,
    precision: round(detector.scores.precision, 4),
    recall: round(detector.scores.recall, 4),
    f1: round(detector.scores.f1, 4),
    nab_score: roundOrNull(detector.nabScores.standard, 2),
    baseline_nab_score: roundOrNull(baseline.nabScores.standard, 2),
  };
}

/**
 * The per-file table (the detector's windows, detection events, windows hit, false events, precision
 * and recall, then the standard NAB score of it and of the baseline) and a summary per detector.
 */
export function formatReport(detector: DetectorEvaluation, baseline: DetectorEvaluation): string {
  const rows = detector.files.map((f, i) => {
    const b = baseline.files[i]!;
    const noWindows = f.counts.windows === 0;
    return [
      f.key,
      String(f.counts.windows),
      String(f.counts.events),
      String(f.counts.detectedWindows),
      String(f.counts.events - f.counts.eventsInWindow),
      f.counts.events === 0 ? "-" : fixed(f.scores.precision, 2),
      noWindows ? "-" : fixed(f.scores.recall, 2),
      noWindows ? raw(f.nab.standard!.raw) : fixed(f.nabStandard, 1),
      noWindows ? raw(b.nab.standard!.raw) : fixed(b.nabStandard, 1),
    ];
  });
  const table = formatTable(["file", "windows", "detections", "TP windows", "FP events", "precision", "recall", "NAB detector", "NAB baseline"], rows);
  const profiles = Object.keys(detector.nabScores);
  const summary = formatTable(
    ["detector", "files", "windows", "detections", "TP windows", "FP events", "precision", "recall", "F1", ...profiles.map((p) => `NAB ${p}`)],
    [detector, baseline].map((e) => [
      e.detector,
      String(e.files.length),
      String(e.counts.windows),
      String(e.counts.events),
      String(e.counts.detectedWindows),
      String(e.counts.events - e.counts.eventsInWindow),
      fixed(e.scores.precision, 3),
      fixed(e.scores.recall, 3),
      fixed(e.scores.f1, 3),
      ...profiles.map((p) => fixed(e.nabScores[p] ?? null, 1)),
    ]),
  );
  return [
    `per file: detector = ${detector.detector}, baseline = ${baseline.detector}; NAB standard profile, normalised per file`,
    "(a file without windows has no normalised score; its raw score, in brackets, is what its false positives cost)",
    table,
    "",
    "corpus: precision and recall micro-averaged over files, NAB scores normalised over the corpus",
    summary,
  ].join("\n");
}

// The same plain table as bench/stats.ts prints; bench is a script folder evals does not import from.
function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function roundOrNull(value: number | null | undefined, digits: number): number | null {
  return value === null || value === undefined ? null : round(value, digits);
}

const fixed = (value: number | null, digits: number) => (value === null ? "-" : value.toFixed(digits));
const raw = (value: number) => `(${value.toFixed(2)})`;
