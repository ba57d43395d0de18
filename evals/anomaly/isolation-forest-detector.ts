import { AnomalyDetector, trainAnomalyModel, type FeatureOptions } from "../../tools/anomaly/index.js";
import { suppressRepeats, type Detection, type Series, type SeriesDetector } from "./detector.js";

/** The fixed parameters of the Isolation Forest under evaluation. */
export interface IsolationForestEvalOptions {
  /** Share of the training rows expected above the threshold: sets the calibrated threshold. */
  contamination: number;
  trees: number;
  sampleSize: number;
  seed: number;
  /** Rolling windows of the features (tools/anomaly FEATURE_NAMES). */
  features: FeatureOptions;
  /** Flags within this many rows after a kept flag are dropped (see suppressRepeats). */
  suppress: number;
}

/** The evaluated defaults, the same on every file; how they were chosen is in docs/anomaly-evaluation.md. */
export const ISOLATION_FOREST_EVAL_DEFAULTS: Readonly<IsolationForestEvalOptions> = {
  contamination: 0.02,
  trees: 100,
  sampleSize: 256,
  seed: 1,
  features: { baselineWindow: 100, shortWindow: 5 },
  suppress: 300,
};

/**
 * The project's detector (tools/anomaly) as the evaluation runs it: trained on the first `trainCount`
 * rows only, loaded into ONNX Runtime, scoring every row; its flags are thinned by suppressRepeats.
 */
export function createIsolationForestDetector(options: Partial<IsolationForestEvalOptions> = {}): SeriesDetector {
  const o = { ...ISOLATION_FOREST_EVAL_DEFAULTS, ...options };
  return {
    name: `isolation-forest(contamination=${o.contamination}, features=${o.features.baselineWindow}/${o.features.shortWindow}, suppress=${o.suppress})`,
    async detect(series: Series, trainCount: number): Promise<Detection> {
      const model = trainAnomalyModel(series.values.slice(0, trainCount), {
        contamination: o.contamination,
        trees: o.trees,
        sampleSize: o.sampleSize,
        seed: o.seed,
        features: o.features,
      });
      const detector = await AnomalyDetector.load(model);
      try {
        const { scores, flagged } = await detector.detect(series.values);
        const raw = new Array<boolean>(series.values.length).fill(false);
        for (const i of flagged) raw[i] = true;
        return { scores, flagged: suppressRepeats(raw, o.suppress) };
      } finally {
        await detector.close();
      }
    },
  };
}
