import { z } from "zod";
import type { EvaluationFinding } from "../../core/index.js";
import { errorOutcome } from "../outcome.js";
import { serviceField, signalField } from "../prometheus/tool-support.js";
import { defineTool, type ToolOutcome } from "../tool.js";
import { detectorMetrics, evaluateDetector, readDetectorDataset } from "./detector-dataset.js";
import { DETECTOR_ALIAS, detectorModelName, loadDetectorVersion } from "./detector-store.js";
import { applyGate } from "./gate.js";

/**
 * `mlflow_evaluate_detector`: the quality gate of a retrained detector. Candidate and champion
 * (as registered, ONNX artifacts checked) score the same labelled held-out data; the
 * detector_drift gate (by default: precision and recall may not fall) decides.
 */
export const evaluateDetectorTool = defineTool({
  name: "mlflow_evaluate_detector",
  system: "mlflow",
  title: "Evaluate a retrained anomaly detector",
  description:
    "Scores the candidate version and the champion of anomaly-<service>-<series_signal> on the labelled held-out part of a detector dataset (dvc_snapshot_series) in ONNX Runtime " +
    "and applies the detector_drift quality gate of the trigger contract (precision and recall may not fall). Without a champion, the comparison rules pass.",
  input: z.object({
    series_signal: signalField.describe("The contract signal whose series the detector watches"),
    service: serviceField,
    candidate_version: z.string().regex(/^\d+$/).describe("The registered version to evaluate (from mlflow_train_detector)"),
    dataset_path: z.string().min(1).describe("abs_path of the dataset the candidate was trained on"),
  }),
  flags: { readOnly: true, destructive: false, idempotent: true, openWorld: true },
  finding: "evaluation",
  timeoutMs: 5 * 60_000,
  async run(args, ctx): Promise<ToolOutcome<EvaluationFinding>> {
    const name = detectorModelName(`${args.service}:${args.series_signal}`);
    const { mlflow } = ctx.clients;
    try {
      const dataset = await readDetectorDataset(args.dataset_path);
      const candidate = await loadDetectorVersion(mlflow, name, args.candidate_version, ctx.signal);
      const championVersion = await mlflow.getModelVersionByAlias(name, DETECTOR_ALIAS, ctx.signal);
      const champion = championVersion && championVersion.version !== args.candidate_version ? await loadDetectorVersion(mlflow, name, championVersion.version, ctx.signal) : null;
      const candidateMetrics = detectorMetrics(await evaluateDetector(candidate.model, dataset));
      const championMetrics = champion ? detectorMetrics(await evaluateDetector(champion.model, dataset)) : null;
      const verdict = applyGate(ctx.contract.signals.detector_drift.gate, { candidate: candidateMetrics, champion: championMetrics, baselines: {} });
      const finding: EvaluationFinding = {
        ...verdict,
        candidate: { version: args.candidate_version, metrics: candidateMetrics },
        champion: { version: champion?.version ?? null, metrics: championMetrics ?? {} },
      };
      const against = champion ? `v${champion.version} (precision ${championMetrics!.precision.toFixed(3)}, recall ${championMetrics!.recall.toFixed(3)})` : "no champion";
      const summary = `${name} v${args.candidate_version} (precision ${candidateMetrics.precision.toFixed(3)}, recall ${candidateMetrics.recall.toFixed(3)}) against ${against} on ${dataset.windows.length} labelled windows: gate ${verdict.passed ? "passed" : "failed"} (${verdict.checks.map((c) => c.detail).join("; ")})`;
      return { status: "success", summary, data: finding };
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      return errorOutcome(error);
    }
  },
});
