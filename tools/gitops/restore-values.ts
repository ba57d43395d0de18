import { z } from "zod";
import { defineTool, type ToolOutcome } from "../tool.js";
import { errorOutcome } from "../outcome.js";
import { AppField } from "./inputs.js";
import type { WriteValuesData } from "./write-values.js";

/** `gitops_restore_values`: makes Git say again what an earlier revision said (after a rollback). */
export const restoreValues = defineTool({
  name: "gitops_restore_values",
  system: "gitops",
  title: "Restore an app's Helm values",
  description:
    "Commits an app's Helm values exactly as they were at an earlier revision (for example the one Argo CD rolled back to), " +
    "so Git matches what serves and a later sync cannot redeploy what was rolled back.",
  input: z.object({
    app: AppField,
    revision: z.string().regex(/^[0-9a-f]{7,40}$/, "a git commit sha").describe("The revision whose values to restore."),
    reason: z.string().min(1).max(2000).describe("Why; becomes the commit message body."),
  }),
  flags: { readOnly: false, destructive: true, idempotent: true, openWorld: true },
  finding: "git_change",
  async run({ app, revision, reason }, ctx): Promise<ToolOutcome<WriteValuesData>> {
    try {
      const result = await ctx.clients.gitops.restoreValues(app, ctx.environment, revision, `${app}/${ctx.environment}: restore values of ${revision.slice(0, 7)}\n\n${reason.trim()}\n`);
      return {
        status: "success",
        summary: result.changed ? `Committed ${result.revision.slice(0, 7)}: values of ${revision.slice(0, 7)} restored (model ${result.values.model.version}).` : `Values already equal those of ${revision.slice(0, 7)}; nothing committed.`,
        data: { app, environment: ctx.environment, revision: result.revision, path: result.path, values: result.values, changed: result.changed, previous_revision: result.previous, restored_from: revision },
        artifacts: [{ kind: "helm_values_patch", name: `${app}-${ctx.environment}-values.restore.yaml`, mediaType: "application/yaml", content: result.patchYaml }],
      };
    } catch (error) {
      return errorOutcome(error);
    }
  },
});
