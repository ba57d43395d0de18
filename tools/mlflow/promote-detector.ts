import { z } from "zod";
import { AutopilotError, type DeploymentFinding } from "../../core/index.js";
import { errorOutcome } from "../outcome.js";
import { serviceField, signalField } from "../prometheus/tool-support.js";
import { defineTool, type ToolOutcome } from "../tool.js";
import { DETECTOR_ALIAS, detectorModelName } from "./detector-store.js";

/**
 * `mlflow_promote_detector`: moves a series' detector `champion` alias to a version and proves it
 * serves by loading it into ONNX Runtime the way the monitor does; a version that does not load has
 * the alias moved back at once, so a broken detector never serves.
 */
export const promoteDetectorTool = defineTool({
  name: "mlflow_promote_detector",
  system: "mlflow",
  title: "Promote an anomaly detector",
  description:
    "Points the champion alias of anomaly-<service>-<series_signal> at `version` (what the monitor and prometheus_detect_anomalies load) and loads it in ONNX Runtime. " +
    "If it does not load, the alias is restored to the previous version and the call fails.",
  input: z.object({
    series_signal: signalField.describe("The contract signal whose series the detector watches"),
    service: serviceField,
    version: z.string().regex(/^\d+$/).describe("The registered version to serve, the candidate that passed its gate"),
  }),
  flags: { readOnly: false, destructive: true, idempotent: true, openWorld: true },
  finding: "deployment",
  timeoutMs: 5 * 60_000,
  async run(args, ctx): Promise<ToolOutcome<DeploymentFinding>> {
    const series = `${args.service}:${args.series_signal}`;
    const name = detectorModelName(series);
    const { mlflow, detectors } = ctx.clients;
    try {
      const target = await mlflow.getModelVersion(name, args.version, ctx.signal);
      if (!target) throw new AutopilotError("mlflow_version_missing", `mlflow: detector ${name} has no version ${args.version}`);
      const previous = (await mlflow.getModelVersionByAlias(name, DETECTOR_ALIAS, ctx.signal))?.version ?? null;
      await mlflow.setAlias(name, DETECTOR_ALIAS, args.version, ctx.signal);
      try {
        const serving = await detectors.use(series, async (served) => served?.version ?? null, ctx.signal);
        if (serving !== args.version) throw new AutopilotError("detector_not_serving", `${name}@${DETECTOR_ALIAS} serves ${serving ?? "nothing"} after the move to v${args.version}`);
      } catch (error) {
        if (previous) await mlflow.setAlias(name, DETECTOR_ALIAS, previous);
        else await mlflow.deleteAlias(name, DETECTOR_ALIAS);
        throw new AutopilotError("detector_load_failed", `${name} v${args.version} did not load (${(error as Error).message}); the champion alias is back on ${previous ? `v${previous}` : "nothing"}`, { cause: error });
      }
      const finding: DeploymentFinding = {
        app: name,
        revision: `${name}@${DETECTOR_ALIAS}=v${args.version}`,
        history_id: null,
        previous_history_id: null,
        model_version: args.version,
        previous_model_version: previous,
        canary_weight: 0,
        health: "Healthy",
        sync: "Synced",
        deployed_at: ctx.clock.now().toISOString(),
      };
      return { status: "success", summary: `${name}@${DETECTOR_ALIAS} now serves v${args.version}${previous ? ` (was v${previous})` : ""}; loaded in ONNX Runtime`, data: finding };
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      return errorOutcome(error);
    }
  },
});
