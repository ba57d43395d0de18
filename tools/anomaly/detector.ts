/**
 * The detector a caller holds: a trained model loaded into ONNX Runtime, scoring whole series.
 */
import { AnomalyError } from "./anomaly-error.js";
import { extractFeatures } from "./features.js";
import type { AnomalyModel } from "./model.js";
import { anomalyModelToOnnx } from "./onnx-model.js";
import { createOnnxScorer, type AnomalyScorer, type OnnxScorerOptions } from "./onnx-scorer.js";

/** What detect found in a series. */
export interface Detection {
  /** The anomaly score of every point, in series order. */
  scores: number[];
  /** Indices of the points whose score is above the threshold, ascending. */
  flagged: number[];
  /** The model's threshold. */
  threshold: number;
  /**
   * The leading points scored against a partial baseline (min(baselineWindow, points)); their
   * scores are less reliable, so a caller that can fetches that much more history and ignores them.
   */
  warmup: number;
}

/** A trained model served by ONNX Runtime: detect() featurises a series and scores every point. */
export class AnomalyDetector {
  readonly model: AnomalyModel;
  readonly #scorer: AnomalyScorer;

  private constructor(model: AnomalyModel, scorer: AnomalyScorer) {
    this.model = model;
    this.#scorer = scorer;
  }

  /** Exports `model` to ONNX and opens an ONNX Runtime session on it. */
  static async load(model: AnomalyModel, options?: OnnxScorerOptions): Promise<AnomalyDetector> {
    return new AnomalyDetector(model, await createOnnxScorer(anomalyModelToOnnx(model), options));
  }

  /**
   * Scores every point of `values` with the model's feature windows (the first points against the
   * shorter baseline they have) and flags those scoring above the threshold.
   */
  async detect(values: readonly number[]): Promise<Detection> {
    const { rows } = extractFeatures(values, this.model.features);
    const scores = await this.#scorer.score(rows);
    if (scores.length !== values.length) {
      throw new AnomalyError("invalid_model", `the scorer gave ${scores.length} scores for ${values.length} points`);
    }
    const flagged: number[] = [];
    scores.forEach((s, i) => {
      if (s > this.model.threshold) flagged.push(i);
    });
    const warmup = Math.min(this.model.features.baselineWindow, values.length);
    return { scores: Array.from(scores), flagged, threshold: this.model.threshold, warmup };
  }

  /** Releases the ONNX Runtime session. */
  async close(): Promise<void> {
    await this.#scorer.close();
  }
}
