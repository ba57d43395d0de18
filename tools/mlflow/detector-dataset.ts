import { readFile } from "node:fs/promises";
import path from "node:path";
import { AutopilotError } from "../../core/index.js";
import { AnomalyDetector, countWindowHits, windowScores, type AnomalyModel, type WindowRows, type WindowScores } from "../anomaly/index.js";
import { parseCsv } from "../csv.js";

/** A detector dataset as dvc_snapshot_series writes it. */
export interface DetectorDataset {
  train: number[];
  holdout: number[];
  windows: WindowRows[];
  /** The resolution of the snapshot in seconds, when labels.json records it. */
  stepSeconds: number | undefined;
}

/** Reads train.csv, holdout.csv and labels.json of a detector dataset, naming the file and row it refuses. */
export async function readDetectorDataset(dir: string): Promise<DetectorDataset> {
  const values = async (file: string) => {
    const rows = parseCsv(await readFile(path.join(dir, file), "utf8")).slice(1);
    return rows.filter((r) => r.length > 1 || r[0] !== "").map((r, i) => {
      const v = Number(r[1]);
      if (!Number.isFinite(v)) throw new AutopilotError("invalid_dataset", `${file} row ${i + 2}: value ${JSON.stringify(r[1])} is not a number`);
      return v;
    });
  };
  try {
    const [train, holdout, labels] = await Promise.all([values("train.csv"), values("holdout.csv"), readFile(path.join(dir, "labels.json"), "utf8")]);
    const parsed = JSON.parse(labels) as { windows?: Array<{ rows?: unknown }>; step_seconds?: unknown };
    const windows = (parsed.windows ?? []).map((w, i) => {
      const rows = w.rows;
      if (!Array.isArray(rows) || rows.length !== 2 || !rows.every((n) => Number.isInteger(n))) throw new AutopilotError("invalid_dataset", `labels.json windows[${i}].rows must be [start, end] row indices`);
      return { startIndex: rows[0] as number, endIndex: rows[1] as number };
    });
    const step = parsed.step_seconds;
    return { train, holdout, windows, stepSeconds: typeof step === "number" && Number.isInteger(step) && step > 0 ? step : undefined };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new AutopilotError("invalid_dataset", `${dir} is not a detector dataset (written by dvc_snapshot_series): ${(error as Error).message}`);
    throw error;
  }
}

/** Scores the held-out series with `model` in ONNX Runtime over the labelled windows, as the NAB evaluation does (window-metrics.ts). */
export async function evaluateDetector(model: AnomalyModel, dataset: DetectorDataset): Promise<WindowScores> {
  const detector = await AnomalyDetector.load(model);
  try {
    const { flagged } = await detector.detect(dataset.holdout);
    const flags = dataset.holdout.map(() => false);
    for (const i of flagged) flags[i] = true;
    return windowScores(countWindowHits(flags, dataset.windows, 0));
  } finally {
    await detector.close();
  }
}

/** The gate's metrics of a window score. */
export function detectorMetrics(s: WindowScores): { precision: number; recall: number; f1: number } {
  return { precision: s.precision, recall: s.recall, f1: s.f1 };
}
