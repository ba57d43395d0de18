import { z } from "zod";
import { errorMessage, type DeploymentFinding } from "../../core/index.js";
import { defineTool, type ToolOutcome } from "../tool.js";
import { entryRevision, lastHistory } from "./application.js";
import { appField, DEPLOY_FLAGS, failure, readDeployedValues, servedModelVersion, shortSha, WAIT_TIMEOUT_MS } from "./tool-support.js";

/** `argocd_sync_application`: syncs an app to a git revision and waits until the deploy is Healthy. */
export const syncApplicationTool = defineTool({
  name: "argocd_sync_application",
  system: "argocd",
  title: "Sync an Argo CD application to a revision",
  description:
    "Syncs an Argo CD application to a GitOps commit (written by gitops_write_values), waits for the operation to finish and the app to be Synced and Healthy, and reports which model version now serves and on what canary weight. A failed sync or a Degraded app is an error.",
  input: z.object({
    app: appField,
    revision: z.string().regex(/^[0-9a-f]{7,40}$/).describe("git commit sha of the GitOps repository to deploy"),
    prune: z.boolean().default(false).describe("delete resources no longer in git"),
    dry_run: z.boolean().default(false).describe("only preview the sync; nothing is deployed and no deployment is recorded"),
  }),
  flags: DEPLOY_FLAGS,
  finding: "deployment",
  timeoutMs: 20 * 60_000,
  async run({ app, revision, prune, dry_run }, ctx): Promise<ToolOutcome<DeploymentFinding>> {
    const argocd = ctx.clients.argocd;
    let deployed = false;
    try {
      const before = await argocd.getApplication(app, { signal: ctx.signal });
      const previousEntry = lastHistory(before);
      const previousRevision = entryRevision(previousEntry) ?? before.status?.sync?.revision;
      const since = ctx.clock.now();
      await argocd.sync(app, { revision, prune, dryRun: dry_run, signal: ctx.signal });
      const after = await argocd.waitForOperation(app, {
        since,
        expectRevision: revision,
        dryRun: dry_run,
        requireHealthy: !dry_run,
        timeoutMs: WAIT_TIMEOUT_MS,
        signal: ctx.signal,
      });
      deployed = !dry_run;
      const values = await readDeployedValues(ctx, app, revision);
      if (!values) {
        const message = `${app} synced to ${revision}, but the GitOps repository has no Helm values for ${app} in ${ctx.environment} at that revision`;
        return { status: "error", summary: message, error: { code: "values_not_found", system: "gitops", message, retryable: false } };
      }
      const previous = previousRevision ? await readDeployedValues(ctx, app, previousRevision) : null;
      const data: DeploymentFinding = {
        app,
        revision,
        history_id: lastHistory(after)?.id ?? null,
        previous_history_id: previousEntry?.id ?? null,
        model_version: servedModelVersion(values),
        previous_model_version: previous ? servedModelVersion(previous) : null,
        canary_weight: values.canary.enabled ? values.canary.weight : 0,
        health: after.status?.health?.status ?? "Unknown",
        sync: after.status?.sync?.status ?? "Unknown",
        // When the sync was requested: never after the change took effect, so what was measured
        // before it (the watch's pre-deploy value, the A/B window) is really from before the deploy.
        deployed_at: since.toISOString(),
      };
      const serving = data.canary_weight > 0 ? `model ${data.model_version} on a ${data.canary_weight}% canary` : `model ${data.model_version}`;
      const was = data.previous_model_version ? `; before: model ${data.previous_model_version} (history ${data.previous_history_id ?? "-"})` : "";
      if (dry_run) {
        return { status: "no_data", summary: `dry run: syncing ${app} to ${shortSha(revision)} would serve ${serving}; nothing was deployed`, data };
      }
      const summary = `${app} synced to ${shortSha(revision)} (history ${data.history_id ?? "-"}): ${serving}, ${data.sync} and ${data.health}${was}`;
      return { status: "success", summary, data };
    } catch (error) {
      const what = deployed ? `${app} synced to ${shortSha(revision)}, but reading its Helm values failed` : `sync of ${app} to ${shortSha(revision)} failed`;
      return failure(error, ctx, `${what}: ${errorMessage(error)}`);
    }
  },
});
