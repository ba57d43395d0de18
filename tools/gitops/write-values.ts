import { z } from "zod";
import type { Environment } from "../../core/index.js";
import { defineTool, type ToolOutcome } from "../tool.js";
import { errorOutcome } from "../outcome.js";
import type { DeepPartial, HelmValues } from "./values.js";
import { AppField, ProcessorsField } from "./inputs.js";

/** What `gitops_write_values` returns. */
export interface WriteValuesData {
  app: string;
  environment: Environment;
  /** The commit Argo CD should sync to. */
  revision: string;
  path: string;
  values: HelmValues;
  /** False when the values already were as asked, so nothing was committed. */
  changed: boolean;
  /** The head before this change. */
  previous_revision: string | null;
  /** For a restore, the revision whose values were restored; null for a write. */
  restored_from: string | null;
}

const invalid = (message: string): ToolOutcome<never> => ({ status: "error", summary: message, error: { code: "invalid_input", message, system: "gitops", retryable: false } });

/** `gitops_write_values`: sets what an app serves (model, canary) or its processors' capacity, as one commit. */
export const writeValues = defineTool({
  name: "gitops_write_values",
  system: "gitops",
  title: "Write an app's Helm values",
  description:
    "Changes an app's Helm values in the GitOps repository for the current environment, as one commit Argo CD can sync to: " +
    "the model version and canary (canary_weight > 0 routes that share of traffic to canary_version; 0 turns the canary off), " +
    "and/or the workers of ETL processors. Leaving model_version out keeps the model and canary as they are. " +
    "Writing values that are already in place makes no commit.",
  input: z.object({
    app: AppField,
    model_version: z.string().min(1).max(64).optional().describe("Model registry version the app serves as champion (all traffic outside the canary); omit to keep the model."),
    canary_version: z.string().min(1).max(64).nullable().optional().describe("Model registry version of the canary; required when canary_weight > 0."),
    canary_weight: z.number().int().min(0).max(100).optional().describe("Percent of traffic for the canary, 0-100 (default 0 with a model_version); 0 disables the canary."),
    processors: ProcessorsField.optional(),
    reason: z.string().min(1).max(2000).describe("Why the change is made; becomes the commit message body."),
  }),
  flags: { readOnly: false, destructive: true, idempotent: true, openWorld: true },
  finding: "git_change",
  async run(input, ctx): Promise<ToolOutcome<WriteValuesData>> {
    const { app, model_version, processors, reason } = input;
    const weight = input.canary_weight ?? 0;
    const canaryVersion = input.canary_version ?? null;
    if (!model_version && (input.canary_weight !== undefined || canaryVersion)) return invalid("a canary needs the model_version it runs beside");
    if (!model_version && !processors) return invalid("give a model_version, processors, or both");
    if (weight > 0 && !canaryVersion) return invalid("canary_weight > 0 needs a canary_version");
    const patch: DeepPartial<HelmValues> & { processors?: Record<string, { workers: number }> } = {};
    const parts: string[] = [];
    if (model_version) {
      const canary = weight > 0 ? { enabled: true, version: canaryVersion, weight } : { enabled: false, version: null, weight: 0 };
      patch.model = { version: model_version };
      patch.canary = canary;
      parts.push(`model ${model_version}${canary.enabled ? `, canary ${canary.version} at ${canary.weight}%` : ", no canary"}`);
    }
    if (processors) {
      patch.processors = processors;
      parts.push(`processors ${Object.entries(processors).map(([name, p]) => `${name}=${p.workers}`).join(", ")}`);
    }
    const subject = `${app}/${ctx.environment}: ${parts.join("; ")}`;
    try {
      ctx.signal.throwIfAborted();
      const result = await ctx.clients.gitops.writeValues(app, ctx.environment, patch, `${subject}\n\n${reason.trim()}\n`);
      return {
        status: "success",
        summary: result.changed
          ? `Committed ${result.revision.slice(0, 7)} to ${result.path}: ${parts.join("; ")}.`
          : `${result.path} already has these values at ${result.revision.slice(0, 7)}; nothing committed.`,
        data: { app, environment: ctx.environment, revision: result.revision, path: result.path, values: result.values, changed: result.changed, previous_revision: result.previous, restored_from: null },
        artifacts: [{ kind: "helm_values_patch", name: `${app}-${ctx.environment}-values.patch.yaml`, mediaType: "application/yaml", content: result.patchYaml }],
      };
    } catch (error) {
      return errorOutcome(error);
    }
  },
});
