import { entryRevision, lastHistory, revisionMatches, type Application } from "./application.js";

/** What a caller waits for after a sync or a rollback. */
export interface WaitConditions {
  /** When the operation was requested, by the caller's clock. */
  since: Date;
  expectRevision?: string;
  dryRun?: boolean;
  requireHealthy: boolean;
  /**
   * With requireHealthy, also wait for Synced (default true). A rollback leaves the app OutOfSync
   * by design (Git still names the newer revision), so rollbacks wait for Healthy only.
   */
  requireSynced?: boolean;
}

/** A failed resource of an operation. */
export interface FailedResource {
  kind: string;
  name: string;
  namespace?: string;
  message: string;
}

/** Where an application stands against the wait conditions. */
export type WaitVerdict =
  | { kind: "waiting"; reason: string }
  | { kind: "done" }
  | { kind: "failed"; code: string; message: string; resources: FailedResource[] };

// Argo CD's timestamps have second precision and come from its own clock.
const CLOCK_SKEW_MS = 60_000;

/**
 * Section 4.5 of the API contracts (`argocd app wait`): the operation is in progress while
 * `operation` is set, `finishedAt` is unset, or (not for a dry run) the controller has not
 * reconciled since it finished. Then Succeeded passes and Failed/Error fail; the synced revision
 * must be the one asked for; with `requireHealthy`, the app must become Synced and Healthy, and
 * Degraded or Missing are final.
 */
export function checkWaitConditions(app: Application, c: WaitConditions): WaitVerdict {
  const status = app.status ?? {};
  const op = status.operationState;
  if (app.operation) return { kind: "waiting", reason: "the operation is requested but not started" };
  if (!op) return { kind: "waiting", reason: "no operation state yet" };
  if (op.startedAt && Date.parse(op.startedAt) < c.since.getTime() - CLOCK_SKEW_MS) {
    return { kind: "waiting", reason: `the operation state is from an earlier operation (started ${op.startedAt})` };
  }
  if (!op.finishedAt) return { kind: "waiting", reason: `the operation is ${op.phase}` };
  if (!c.dryRun && (!status.reconciledAt || Date.parse(status.reconciledAt) < Date.parse(op.finishedAt))) {
    return { kind: "waiting", reason: "the controller has not reconciled the app since the operation finished" };
  }
  if (op.phase === "Failed" || op.phase === "Error") {
    const resources = failedResources(app);
    const detail = resources.map((r) => `${r.kind}/${r.name}: ${r.message}`).join("; ");
    const message = `the operation on ${app.metadata.name} ended ${op.phase}: ${op.message ?? "no message"}${detail ? ` (${detail})` : ""}`;
    return { kind: "failed", code: "operation_failed", message, resources };
  }
  if (op.phase !== "Succeeded") return { kind: "waiting", reason: `the operation is ${op.phase}` };
  const synced = op.syncResult?.revision ?? entryRevision(lastHistory(app));
  if (c.expectRevision && (!synced || !revisionMatches(synced, c.expectRevision))) {
    const message = `${app.metadata.name} synced revision ${synced ?? "(none)"}, not the requested ${c.expectRevision}`;
    return { kind: "failed", code: "revision_mismatch", message, resources: [] };
  }
  if (!c.requireHealthy) return { kind: "done" };
  const health = status.health?.status ?? "Unknown";
  if (health === "Degraded" || health === "Missing") {
    const message = `${app.metadata.name} is ${health} after the operation${status.health?.message ? `: ${status.health.message}` : ""}`;
    return { kind: "failed", code: health === "Degraded" ? "app_degraded" : "app_missing", message, resources: [] };
  }
  const sync = status.sync?.status ?? "Unknown";
  const wantSynced = c.requireSynced ?? true;
  if ((wantSynced && sync !== "Synced") || health !== "Healthy") return { kind: "waiting", reason: `the app is ${sync} and ${health}` };
  return { kind: "done" };
}

/** The resources an operation failed on, with their messages. */
function failedResources(app: Application): FailedResource[] {
  const resources = app.status?.operationState?.syncResult?.resources ?? [];
  return resources
    .filter((r) => r.message && (r.status === "SyncFailed" || r.hookPhase === "Failed" || r.hookPhase === "Error"))
    .map((r) => ({ kind: r.kind ?? "?", name: r.name ?? "?", ...(r.namespace ? { namespace: r.namespace } : {}), message: r.message! }));
}
