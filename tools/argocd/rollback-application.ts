import { z } from "zod";
import { errorMessage, type RollbackFinding } from "../../core/index.js";
import { defineTool, type ToolOutcome } from "../tool.js";
import { entryRevision, historyOf } from "./application.js";
import { appField, DEPLOY_FLAGS, failure, inputError, readDeployedValues, servedModelVersion, shortSha, WAIT_TIMEOUT_MS } from "./tool-support.js";

/** `argocd_rollback_application`: rolls an app back to a history entry and waits until it is Healthy. */
export const rollbackApplicationTool = defineTool({
  name: "argocd_rollback_application",
  system: "argocd",
  title: "Roll an Argo CD application back",
  description:
    "Rolls an Argo CD application back to one of its history entries (ids from argocd_get_application or a deployment's previous_history_id), waits until the operation has finished and the app is Healthy (it stays OutOfSync until Git is reverted too), and reports the model version that serves again.",
  input: z.object({
    app: appField,
    history_id: z.number().int().min(0).describe("id of the history entry to roll back to"),
  }),
  flags: DEPLOY_FLAGS,
  finding: "rollback",
  timeoutMs: 20 * 60_000,
  async run({ app, history_id }, ctx): Promise<ToolOutcome<RollbackFinding>> {
    const argocd = ctx.clients.argocd;
    let rolledBack = false;
    try {
      const before = await argocd.getApplication(app, { signal: ctx.signal });
      const history = historyOf(before);
      const entry = history.find((h) => h.id === history_id);
      if (!entry) {
        const ids = history.map((h) => h.id).join(", ") || "none";
        return inputError("unknown_history_id", `${app} has no history entry ${history_id}; available ids: ${ids}`);
      }
      const revision = entryRevision(entry);
      const since = ctx.clock.now();
      await argocd.rollback(app, { id: history_id, signal: ctx.signal });
      const after = await argocd.waitForOperation(app, {
        since,
        expectRevision: revision,
        requireHealthy: true,
        requireSynced: false,
        timeoutMs: WAIT_TIMEOUT_MS,
        signal: ctx.signal,
      });
      rolledBack = true;
      const values = revision ? await readDeployedValues(ctx, app, revision) : null;
      const data: RollbackFinding = {
        app,
        to_history_id: history_id,
        revision: revision ?? "",
        model_version: values ? servedModelVersion(values) : null,
        health: after.status?.health?.status ?? "Unknown",
        at: ctx.clock.now().toISOString(),
      };
      const model = data.model_version ? `model ${data.model_version}` : "an unknown model version (no Helm values at that revision)";
      return { status: "success", summary: `${app} rolled back to history ${history_id} (${shortSha(data.revision)}): ${model}, ${data.health}`, data };
    } catch (error) {
      const what = rolledBack ? `${app} rolled back to history ${history_id}, but reading its Helm values failed` : `rollback of ${app} to history ${history_id} failed`;
      return failure(error, ctx, `${what}: ${errorMessage(error)}`);
    }
  },
});
