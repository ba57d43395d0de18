import { z } from "zod";
import type { Environment } from "../../core/index.js";
import { defineTool, type AnyTool, type ToolOutcome } from "../tool.js";
import { errorOutcome } from "../outcome.js";
import type { HelmValues } from "./values.js";

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
}

const writeValues = defineTool({
  name: "gitops_write_values",
  system: "gitops",
  title: "Write an app's Helm values",
  description:
    "Sets the model version and the canary of an app in the GitOps repository for the current environment, " +
    "as one commit Argo CD can sync to. canary_weight > 0 routes that share of traffic to canary_version; " +
    "0 turns the canary off. Writing values that are already in place makes no commit.",
  input: z.object({
    app: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case Argo CD application name").describe("Argo CD application name, e.g. search."),
    model_version: z.string().min(1).max(64).describe("Model registry version the app serves as champion (all traffic outside the canary)."),
    canary_version: z.string().min(1).max(64).nullable().optional().describe("Model registry version of the canary; required when canary_weight > 0."),
    canary_weight: z.number().int().min(0).max(100).default(0).describe("Percent of traffic for the canary, 0-100; 0 disables the canary."),
    reason: z.string().min(1).max(2000).describe("Why the change is made; becomes the commit message body."),
  }),
  flags: { readOnly: false, destructive: true, idempotent: true, openWorld: true },
  async run(input, ctx): Promise<ToolOutcome<WriteValuesData>> {
    const { app, model_version, canary_weight, reason } = input;
    const canaryVersion = input.canary_version ?? null;
    if (canary_weight > 0 && !canaryVersion) {
      return {
        status: "error",
        summary: "canary_weight > 0 needs a canary_version.",
        error: { code: "invalid_input", message: "canary_weight > 0 needs a canary_version", system: "gitops", retryable: false },
      };
    }
    const canary = canary_weight > 0 ? { enabled: true, version: canaryVersion, weight: canary_weight } : { enabled: false, version: null, weight: 0 };
    const subject = `${app}/${ctx.environment}: model ${model_version}${canary.enabled ? `, canary ${canary.version} at ${canary.weight}%` : ", no canary"}`;
    try {
      ctx.signal.throwIfAborted();
      const result = await ctx.clients.gitops.writeValues(app, ctx.environment, { model: { version: model_version }, canary }, `${subject}\n\n${reason.trim()}\n`);
      return {
        status: "success",
        summary: result.changed
          ? `Committed ${result.revision.slice(0, 7)} to ${result.path}: ${subject.slice(subject.indexOf(":") + 2)}.`
          : `${result.path} already has these values at ${result.revision.slice(0, 7)}; nothing committed.`,
        data: { app, environment: ctx.environment, revision: result.revision, path: result.path, values: result.values, changed: result.changed },
        artifacts: [
          { kind: "helm_values_patch", name: `${app}-${ctx.environment}-values.patch.yaml`, mediaType: "application/yaml", content: result.patchYaml },
        ],
      };
    } catch (error) {
      return errorOutcome(error);
    }
  },
});

/** The GitOps tools: write an app's Helm values as a commit. */
export const gitopsTools: AnyTool[] = [writeValues];
