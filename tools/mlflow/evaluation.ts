import { AutopilotError } from "../../core/index.js";
import type { H2oClient } from "../h2o/index.js";
import { readCsvColumns } from "../csv.js";

/** A row of eval.csv as the ranking metrics need it. */
export interface EvalRow {
  queryId: string;
  topic: string;
  label: number;
}

/** Reads query_id, topic and label of eval.csv, in file order (the order H2O parses it in). */
export async function readEvalRows(file: string): Promise<EvalRow[]> {
  const cols = await readCsvColumns(file, ["query_id", "topic", "label"]);
  return cols.query_id!.map((queryId, i) => {
    const label = Number(cols.label![i]);
    if (!Number.isFinite(label)) throw new AutopilotError("eval_bad_label", `${file}: row ${i + 2} has label "${cols.label![i]}", not a number`);
    return { queryId, topic: cols.topic![i] ?? "", label };
  });
}

/**
 * Scores eval.csv with each model in H2O: imports the file once, predicts with every model and
 * reads the `predict` column. The frames are deleted afterwards (best effort).
 */
export async function scoreWithModels(
  h2o: H2oClient,
  evalFile: string,
  modelIds: readonly string[],
  opts: { rowCount: number; frameId: string; timeoutMs: number; signal?: AbortSignal },
): Promise<Map<string, (number | null)[]>> {
  const frames: string[] = [];
  try {
    const frame = await h2o.importAndParse(evalFile, opts.frameId, { timeoutMs: opts.timeoutMs, signal: opts.signal });
    frames.push(frame);
    const scores = new Map<string, (number | null)[]>();
    for (const modelId of new Set(modelIds)) {
      const predictions = await h2o.predict(modelId, frame, { predictionsFrame: `${opts.frameId}_pred_${modelId}`, signal: opts.signal, timeoutMs: opts.timeoutMs });
      frames.push(predictions);
      const cols = await h2o.getFrameColumns(predictions, { columns: ["predict"], rowCount: opts.rowCount, signal: opts.signal });
      const predict = cols.predict ?? [];
      if (predict.length !== opts.rowCount) {
        throw new AutopilotError("eval_rows_mismatch", `h2o: ${modelId} scored ${predict.length} rows of ${evalFile}, which has ${opts.rowCount}`);
      }
      scores.set(modelId, predict.map((v) => (typeof v === "number" ? v : null)));
    }
    return scores;
  } finally {
    for (const frame of frames.reverse()) await h2o.deleteFrame(frame).catch(() => undefined);
  }
}

/** The subset of the Prometheus client the evaluation uses. */
export interface PrometheusInstantQuery {
  query(expr: string, opts: { time?: Date; signal?: AbortSignal }): Promise<{ metric: Record<string, string>; timestamp: number; value: number }[]>;
}

/** The live series behind the estimated gate metrics. */
export const LIVE_SERIES: Record<string, { series: string; variantFilter: boolean }> = {
  latency_p95: { series: "search:latency_p95_seconds", variantFilter: true },
  cost_budget_ratio: { series: "search:cost_budget_ratio", variantFilter: false },
};

/** The PromQL selector of a live series (or of its `:baseline`) for one service. */
export function liveSelector(metric: string, service: string, baseline = false): string {
  const live = LIVE_SERIES[metric];
  if (!live) throw new AutopilotError("eval_unknown_metric", `no live series for gate metric ${metric}`);
  const label = service.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  if (baseline) return `${live.series}:baseline{service="${label}"}`;
  return `${live.series}{service="${label}"${live.variantFilter ? ',variant=~"all|"' : ""}}`;
}

/** The value of the first sample (preferring variant="all"), or null when the query returned nothing. */
export async function instantValue(prom: PrometheusInstantQuery, expr: string, at: Date, signal?: AbortSignal): Promise<number | null> {
  const samples = await prom.query(expr, { time: at, signal });
  const sample = samples.find((s) => s.metric.variant === "all") ?? samples[0];
  return sample && Number.isFinite(sample.value) ? sample.value : null;
}
