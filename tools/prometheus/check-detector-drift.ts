import { z } from "zod";
import type { MonitorFinding } from "../../core/index.js";
import { defineTool, type ToolOutcome } from "../tool.js";
import { detectInWindow, DRIFT_PSI } from "./detect-anomalies.js";
import { PROMETHEUS_FLAGS, serviceField, signalField } from "./tool-support.js";

/**
 * `prometheus_check_detector_drift`: the monitor step of a detector_drift cycle. It confirms that the
 * inputs of a series' serving detector drifted (PSI of the recent window against the training
 * profile over the contract's threshold), so a drift that cleared ends the cycle with nothing done.
 */
export const checkDetectorDriftTool = defineTool({
  name: "prometheus_check_detector_drift",
  system: "prometheus",
  title: "Check an anomaly detector's input drift",
  description:
    "Scores the recent window of a series (series_signal of service) with its serving detector and measures the population stability index (PSI) of the window's features " +
    `against the detector's training data. Triggered when PSI is above the detector_drift threshold (${DRIFT_PSI} by default), or when no detector serves the series yet.`,
  input: z.object({
    series_signal: signalField.describe("The contract signal whose series the detector watches, e.g. ndcg_drop"),
    service: serviceField,
    minutes: z.int().min(60).max(10_080).default(1440).describe("Window length in minutes, ending now"),
  }),
  flags: PROMETHEUS_FLAGS,
  finding: "monitor",
  timeoutMs: 120_000,
  async run(args, ctx): Promise<ToolOutcome<MonitorFinding>> {
    const outcome = await detectInWindow(ctx, { signal: args.series_signal, service: args.service, minutes: args.minutes, step_seconds: 60 });
    if (outcome.status !== "success") return outcome.status === "error" ? outcome : { status: "no_data", summary: outcome.summary };
    const found = outcome.data;
    const rule = ctx.contract.signals.detector_drift.trigger;
    const threshold = rule.kind === "above" ? rule.value : DRIFT_PSI;
    const registered = found.model.source === "registered";
    const psi = registered ? (found.psi ?? 0) : 0;
    const finding: MonitorFinding = {
      signal: "detector_drift",
      service: args.service,
      metric: `psi(${found.series})`,
      value: psi,
      baseline: null,
      threshold,
      // A series no detector serves yet is a reason to train its first one.
      triggered: registered ? psi > threshold : true,
      at: found.at,
    };
    const summary = registered
      ? `${found.model.name} v${found.model.version}: input PSI ${psi.toFixed(3)} over the last ${args.minutes} min, ${finding.triggered ? "above" : "within"} the threshold ${threshold}`
      : `No detector serves ${found.series} yet; the cycle trains the first one`;
    return { status: "success", summary, data: finding };
  },
});
