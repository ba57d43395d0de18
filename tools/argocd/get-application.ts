import { z } from "zod";
import { defineTool, type ToolOutcome } from "../tool.js";
import { entryRevision, historyOf, lastHistory } from "./application.js";
import { appField, failure, shortSha } from "./tool-support.js";

const HISTORY_SHOWN = 10;

/** What `argocd_get_application` returns. */
export interface ApplicationSummary {
  app: string;
  sync: string;
  health: string;
  health_message: string | null;
  /** The revision the app is synced to. */
  revision: string | null;
  /** Whether an operation is requested and not yet picked up by the controller. */
  operation_requested: boolean;
  operation: { phase: string; message: string | null; started_at: string | null; finished_at: string | null } | null;
  /** The newest history entries, oldest first (rollback targets). */
  history: { id: number; revision: string | null; deployedAt: string | null }[];
  history_total: number;
}

/** `argocd_get_application`: sync and health status, revision, last operation and history of an app. */
export const getApplicationTool = defineTool({
  name: "argocd_get_application",
  system: "argocd",
  title: "Get an Argo CD application",
  description: `Reads an Argo CD application: sync status, health, the synced revision, the last operation and the last ${HISTORY_SHOWN} history entries (the ids argocd_rollback_application takes).`,
  input: z.object({ app: appField }),
  flags: { readOnly: true, destructive: false, idempotent: true, openWorld: true },
  timeoutMs: 60_000,
  async run({ app }, ctx): Promise<ToolOutcome<ApplicationSummary>> {
    try {
      const application = await ctx.clients.argocd.getApplication(app, { signal: ctx.signal });
      const status = application.status;
      const op = status?.operationState;
      const history = historyOf(application);
      const data: ApplicationSummary = {
        app,
        sync: status?.sync?.status ?? "Unknown",
        health: status?.health?.status ?? "Unknown",
        health_message: status?.health?.message ?? null,
        revision: status?.sync?.revision ?? entryRevision(lastHistory(application)) ?? null,
        operation_requested: Boolean(application.operation),
        operation: op ? { phase: op.phase, message: op.message ?? null, started_at: op.startedAt ?? null, finished_at: op.finishedAt ?? null } : null,
        history: history.slice(-HISTORY_SHOWN).map((h) => ({ id: h.id, revision: entryRevision(h) ?? null, deployedAt: h.deployedAt ?? null })),
        history_total: history.length,
      };
      const operation = data.operation_requested
        ? "an operation is requested"
        : data.operation
          ? `last operation ${data.operation.phase}${data.operation.message ? `: ${data.operation.message}` : ""}`
          : "no operation yet";
      const newest = history.at(-1);
      const revision = data.revision ? shortSha(data.revision) : "no revision";
      const entries = `${history.length} history entries${newest ? ` (newest id ${newest.id})` : ""}`;
      const summary = `${app} is ${data.sync} and ${data.health} at ${revision}; ${operation}; ${entries}`;
      return { status: "success", summary, data };
    } catch (error) {
      return failure(error, ctx);
    }
  },
});
