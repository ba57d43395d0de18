import { AutopilotError } from "../../core/index.js";

/** A metric as POST /runs/log-batch takes it. */
export interface MlflowMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/** One log-batch request body, without the run id. */
export interface LogBatchChunk {
  metrics: MlflowMetric[];
  params: { key: string; value: string }[];
  tags: { key: string; value: string }[];
}

/** The documented limits of one log-batch request (section 3.3). */
export const LOG_BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000, bytes: 1_000_000, keyLength: 250 } as const;

/**
 * Splits metrics, params and tags into log-batch requests within the documented limits: at most
 * 1000 metrics, 100 params, 100 tags and 1000 items in total per request, and under 1 MB of JSON.
 */
export function chunkLogBatch(batch: LogBatchChunk, limits: typeof LOG_BATCH_LIMITS = LOG_BATCH_LIMITS): LogBatchChunk[] {
  const chunks: LogBatchChunk[] = [];
  let current: LogBatchChunk = { metrics: [], params: [], tags: [] };
  let bytes = 0;
  const overhead = 200; // run_id and the JSON envelope
  const add = (kind: keyof LogBatchChunk, item: LogBatchChunk[keyof LogBatchChunk][number]) => {
    if (item.key.length > limits.keyLength) {
      throw new AutopilotError("mlflow_key_too_long", `mlflow: ${kind} key "${item.key.slice(0, 40)}…" is longer than ${limits.keyLength} characters`);
    }
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    const count = current.metrics.length + current.params.length + current.tags.length;
    if (current[kind].length >= limits[kind] || count >= limits.total || bytes + size + overhead > limits.bytes) {
      chunks.push(current);
      current = { metrics: [], params: [], tags: [] };
      bytes = 0;
    }
    (current[kind] as (typeof item)[]).push(item);
    bytes += size;
  };
  for (const m of batch.metrics) {
    if (!Number.isFinite(m.value)) throw new AutopilotError("mlflow_invalid_metric", `mlflow: metric ${m.key} is not a finite number (${m.value})`);
    add("metrics", m);
  }
  for (const p of batch.params) add("params", p);
  for (const t of batch.tags) add("tags", t);
  if (current.metrics.length + current.params.length + current.tags.length > 0) chunks.push(current);
  return chunks;
}
