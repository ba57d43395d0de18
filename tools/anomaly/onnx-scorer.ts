/**
 * Scoring feature rows with the exported ONNX model in ONNX Runtime (onnxruntime-node, CPU).
 */
import { availableParallelism } from "node:os";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { errorMessage } from "../../core/index.js";
import { AnomalyError } from "./anomaly-error.js";
import { ONNX_INPUT, ONNX_SCORE_OUTPUT } from "./onnx-model.js";
import { rowCount } from "./reference-scorer.js";

/** Something that scores feature rows (row-major, the model's feature count per row). */
export interface AnomalyScorer {
  /** The anomaly score of each row, in row order. */
  score(rows: Float32Array): Promise<Float64Array>;
  /** Releases the session; the scorer cannot be used afterwards. */
  close(): Promise<void>;
}

/** ONNX Runtime session settings the scorer lets a caller change. */
export interface OnnxScorerOptions {
  /** Threads inside an operator (default: the machine's available parallelism). */
  intraOpNumThreads?: number;
  /** 'sequential' (default: the graph is a chain, nothing to run side by side) or 'parallel'. */
  executionMode?: "sequential" | "parallel";
}

/**
 * An ONNX Runtime session over `onnx` (bytes from anomalyModelToOnnx) that fetches only the score.
 * Graph optimisation is 'all'; intra-op threads default to every available core, across which the
 * ensemble splits its trees for batches over 50 rows (about 1.8x one thread when the cores are free;
 * on a machine kept busy by other work, 1 thread is steadier: see docs/anomaly-detection.md).
 */
export async function createOnnxScorer(onnx: Uint8Array, options: OnnxScorerOptions = {}): Promise<AnomalyScorer> {
  const session = await InferenceSession.create(onnx, {
    executionProviders: ["cpu"],
    graphOptimizationLevel: "all",
    intraOpNumThreads: options.intraOpNumThreads ?? availableParallelism(),
    interOpNumThreads: 1,
    executionMode: options.executionMode ?? "sequential",
  }).catch((cause: unknown) => {
    throw new AnomalyError("invalid_model", `ONNX Runtime could not load the model (${onnx.length} bytes): ${errorMessage(cause)}`, { cause });
  });
  const featureCount = inputWidth(session);
  let closed = false;
  return {
    async score(rows) {
      if (closed) throw new AnomalyError("scorer_closed", "the ONNX scorer was closed");
      const count = rowCount(rows, featureCount);
      if (count === 0) return new Float64Array(0);
      const feeds = { [ONNX_INPUT]: new Tensor("float32", rows, [count, featureCount]) };
      const outputs = await session.run(feeds, [ONNX_SCORE_OUTPUT]);
      const scores = outputs[ONNX_SCORE_OUTPUT];
      if (!scores || !(scores.data instanceof Float32Array)) throw new AnomalyError("invalid_model", `the ONNX model gave no float32 output '${ONNX_SCORE_OUTPUT}'`);
      return Float64Array.from(scores.data);
    },
    async close() {
      if (closed) return;
      closed = true;
      await session.release();
    },
  };
}

// The feature count is the fixed second dimension of the graph's input.
function inputWidth(session: InferenceSession): number {
  const input = session.inputMetadata.find((m) => m.name === ONNX_INPUT);
  const width = input && input.isTensor ? input.shape[1] : undefined;
  if (typeof width !== "number" || width < 1) {
    throw new AnomalyError("invalid_model", `the ONNX model has no input '${ONNX_INPUT}' of shape [N, features]`, { details: { inputs: session.inputNames } });
  }
  return width;
}
