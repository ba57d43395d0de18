import { canonicalJson } from "../../../core/index.js";
import type { GitOpsReader, GitOpsValues } from "../gitops.js";

/** An Argo CD API error: `{ error, code, message }` with the grpc-gateway status. */
export class ArgoError extends Error {
  override name = "ArgoError";
  constructor(
    readonly status: number,
    /** gRPC code: 3 InvalidArgument, 5 NotFound, 7 PermissionDenied, 9 FailedPrecondition, 16 Unauthenticated. */
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** What an application needs from the rest of the sandbox. */
export interface ApplicationDeps {
  name: string;
  environment: string;
  initialRevision: string;
  gitops: GitOpsReader;
  now: () => number;
  /** Puts GitOps values into the serving state and the ETL workers; returns why the pods cannot run them, or null. */
  apply(values: GitOpsValues, revision: string, kind: "sync" | "rollback"): string | null;
}

interface Operation {
  kind: "sync" | "rollback";
  revision: string;
  dryRun: boolean;
  prune: boolean;
  startedAt: number;
  polls: number;
  /** The values at the operation's revision, and at the app's target revision (HEAD) when readable. */
  result?: { values: GitOpsValues; target: GitOpsValues | null | undefined } | { error: string };
  terminated: boolean;
}

interface HistoryEntry {
  id: number;
  revision: string;
  deployedAt: string;
  deployStartedAt: string;
  source: Record<string, unknown>;
  initiatedBy: { username: string };
}

/**
 * One Argo CD application with auto-sync disabled. A sync or rollback is accepted as a running
 * operation and advances on each GET: still Running, then Succeeded (or Failed) with finishedAt
 * and the values applied, then reconciledAt, then Healthy. That is exactly what the wait loop of
 * `argocd app wait` needs to observe.
 */
export class ArgoApplication {
  private readonly source: Record<string, unknown>;
  private operation: Operation | null = null;
  private operationState: Record<string, unknown> | null = null;
  private readonly history: HistoryEntry[];
  private syncStatus: "Synced" | "OutOfSync" = "Synced";
  private revision: string;
  private health: { status: string; lastTransitionTime: string; message?: string };
  private reconciledAt: string;
  private reconcilePending = false;
  private resourceVersion = 1;
  private images: string[] = [];
  private canary = false;

  constructor(private readonly deps: ApplicationDeps, championVersion: string) {
    const at = iso(deps.now());
    this.source = { repoURL: "https://git.sandbox.local/platform/gitops.git", path: `apps/${deps.name}/${deps.environment}`, targetRevision: "HEAD", helm: { valueFiles: ["values.yaml"] } };
    this.revision = deps.initialRevision;
    this.history = [{ id: 1, revision: deps.initialRevision, deployedAt: at, deployStartedAt: at, source: this.source, initiatedBy: { username: "admin" } }];
    this.health = { status: "Healthy", lastTransitionTime: at };
    this.reconciledAt = at;
    this.images = [image(deps.name, championVersion)];
  }

  /** Starts a sync to `revision`; refused while another operation runs. */
  sync(body: { revision?: unknown; prune?: unknown; dryRun?: unknown }) {
    const revision = typeof body.revision === "string" && body.revision ? body.revision : "HEAD";
    return this.start({ kind: "sync", revision, dryRun: body.dryRun === true, prune: body.prune === true });
  }

  /** Starts a rollback to a history entry; an unknown id is InvalidArgument. */
  rollback(body: { id?: unknown; dryRun?: unknown; prune?: unknown }) {
    const id = Number(body.id);
    const entry = this.history.find((h) => h.id === id);
    if (!entry) throw new ArgoError(400, 3, `application ${this.deps.name} does not have deployment with id ${String(body.id)}`);
    return this.start({ kind: "rollback", revision: entry.revision, dryRun: body.dryRun === true, prune: body.prune === true });
  }

  /** Terminates the running operation; it reports Failed on the next GET. */
  terminate(): void {
    if (!this.operation) throw new ArgoError(400, 9, "Unable to terminate operation. No operation is in progress");
    this.operation.terminated = true;
    this.operationState = { ...this.operationState, phase: "Terminating", message: "" };
    this.resourceVersion++;
  }

  /** Advances the lifecycle by one observation and returns the application. */
  poll() {
    const op = this.operation;
    if (op) {
      op.polls++;
      if (op.terminated || (op.polls >= 2 && op.result)) this.finish(op);
    } else if (this.reconcilePending) {
      this.reconcilePending = false;
      this.reconciledAt = iso(this.deps.now());
      this.resourceVersion++;
    } else if (this.health.status === "Progressing") {
      this.health = { status: "Healthy", lastTransitionTime: iso(this.deps.now()) };
      this.resourceVersion++;
    }
    return this.json();
  }

  /** The Application JSON as the API returns it, without advancing anything. */
  json() {
    const { name } = this.deps;
    const resources = [
      { group: "apps", version: "v1", kind: "Deployment", namespace: name, name: `${name}-reranker`, status: this.syncStatus },
      ...(this.canary ? [{ group: "apps", version: "v1", kind: "Deployment", namespace: name, name: `${name}-reranker-canary`, status: this.syncStatus }] : []),
      { version: "v1", kind: "Service", namespace: name, name: `${name}-reranker`, status: this.syncStatus },
    ];
    return {
      metadata: { name, namespace: "argocd", uid: `00000000-0000-4000-8000-${name.padEnd(12, "0").slice(0, 12).replace(/[^0-9a-f]/g, "0")}`, resourceVersion: String(this.resourceVersion), generation: this.resourceVersion, creationTimestamp: this.history[0]!.deployedAt },
      spec: { project: "default", source: this.source, destination: { server: "https://kubernetes.default.svc", namespace: name }, syncPolicy: { syncOptions: ["CreateNamespace=true"] } },
      ...(this.operation ? { operation: this.operationSpec(this.operation) } : {}),
      status: {
        sync: { status: this.syncStatus, revision: this.revision, comparedTo: { source: this.source, destination: { server: "https://kubernetes.default.svc", namespace: name } } },
        health: this.health,
        ...(this.operationState ? { operationState: this.operationState } : {}),
        history: this.history,
        reconciledAt: this.reconciledAt,
        observedAt: this.reconciledAt,
        resources,
        summary: { images: this.images },
        sourceType: "Helm",
        resourceHealthSource: "appTree",
        controllerNamespace: "argocd",
      },
    };
  }

  private start(init: Pick<Operation, "kind" | "revision" | "dryRun" | "prune">) {
    if (this.operation) throw new ArgoError(400, 9, "error setting app operation: another operation is already in progress");
    const op: Operation = { ...init, startedAt: this.deps.now(), polls: 0, terminated: false };
    this.operation = op;
    const { name, environment } = this.deps;
    const target = this.deps.gitops.readValues(name, environment, String(this.source.targetRevision)).catch(() => undefined);
    Promise.all([this.deps.gitops.readValues(name, environment, op.revision), target]).then(
      ([values, targetValues]) =>
        (op.result = values ? { values, target: targetValues } : { error: `Failed to load target state: no values for ${name} (${environment}) at revision ${op.revision}` }),
      (error: unknown) => (op.result = { error: `ComparisonError: unable to resolve '${op.revision}' to a commit SHA: ${(error as Error)?.message ?? String(error)}` }),
    );
    this.operationState = { operation: this.operationSpec(op), phase: "Running", message: "one or more tasks are running", startedAt: iso(op.startedAt), retryCount: 0 };
    this.resourceVersion++;
    return this.json();
  }

  private finish(op: Operation): void {
    const now = this.deps.now();
    this.operation = null;
    this.reconcilePending = true;
    this.resourceVersion++;
    const base = { operation: this.operationSpec(op), startedAt: iso(op.startedAt), finishedAt: iso(now), retryCount: 0 };
    if (op.terminated || !op.result || "error" in op.result) {
      const message = op.terminated ? "Operation terminated" : op.result && "error" in op.result ? op.result.error : "Operation failed";
      this.operationState = { ...base, phase: "Failed", message };
      return;
    }
    const resources = [{ group: "apps", version: "v1", kind: "Deployment", namespace: this.deps.name, name: `${this.deps.name}-reranker`, status: "Synced", message: `deployment.apps/${this.deps.name}-reranker configured`, hookPhase: "Running", syncPhase: "Sync" }];
    this.operationState = { ...base, phase: "Succeeded", message: "successfully synced (all tasks run)", syncResult: { revision: op.revision, source: this.source, resources } };
    if (op.dryRun) return;
    const problem = this.deps.apply(op.result.values, op.revision, op.kind);
    this.history.push({ id: Math.max(...this.history.map((h) => h.id)) + 1, revision: op.revision, deployedAt: iso(now), deployStartedAt: iso(op.startedAt), source: this.source, initiatedBy: { username: "admin" } });
    this.revision = op.revision;
    // Synced means the live state equals what the target revision (HEAD) renders: after a rollback
    // it usually does not, unless git was reverted first. Unreadable HEAD: assume a sync deployed it.
    const { values, target } = op.result;
    this.syncStatus = target ? (canonicalJson(target) === canonicalJson(values) ? "Synced" : "OutOfSync") : op.kind === "rollback" ? "OutOfSync" : "Synced";
    if (problem) {
      this.health = { status: "Degraded", lastTransitionTime: iso(now), message: problem };
      return;
    }
    const { model, canary } = op.result.values;
    this.canary = canary.enabled && canary.version !== null;
    this.images = [image(this.deps.name, model.version), ...(this.canary ? [image(this.deps.name, canary.version!)] : [])];
    this.health = { status: "Progressing", lastTransitionTime: iso(now), message: "Waiting for rollout to finish" };
  }

  private operationSpec(op: Operation) {
    const sync = op.kind === "rollback" ? { revision: op.revision, source: this.source, dryRun: op.dryRun, prune: op.prune, syncStrategy: { apply: { force: false } } } : { revision: op.revision, dryRun: op.dryRun, prune: op.prune };
    return { sync, initiatedBy: { username: "admin" }, retry: {} };
  }
}

/** Argo CD writes times as RFC 3339 with whole seconds. */
function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

function image(app: string, version: string): string {
  return `registry.sandbox.local/${app}-reranker:v${version}`;
}
