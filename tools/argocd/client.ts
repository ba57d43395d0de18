import { z } from "zod";
import { AutopilotError, redactSecrets, type Clock } from "../../core/index.js";
import { createHttpClient, isUpstreamError, UpstreamError, type HttpClient, type HttpRequest, type SystemClientOptions } from "../http.js";
import { ApplicationListSchema, ApplicationSchema, ArgoErrorSchema, type Application } from "./application.js";
import { checkWaitConditions, type FailedResource, type WaitConditions } from "./wait-conditions.js";

/** How to reach Argo CD. */
export interface ArgoCdClientOptions extends SystemClientOptions {
  /** Base URL without `/api/v1`, e.g. `https://argocd.example.com`. */
  baseUrl: string;
  /** A project or account token, sent as `Authorization: Bearer`; it never appears in errors. */
  token?: string;
  /** Retries after the first attempt, for network errors, timeouts and 5xx on GET and DELETE (default 2). */
  retries?: number;
  /** The clock `waitForOperation` polls on. */
  clock: Clock;
  /** Time between polls of `waitForOperation` (default 2000 ms). */
  pollIntervalMs?: number;
}

/** A sync or rollback that failed, a deploy that ended Degraded or Missing, or a wait that timed out. */
export class ArgoCdOperationError extends AutopilotError {
  override name = "ArgoCdOperationError";
  /** The failed resources and their messages, when the operation reported them. */
  readonly resources: FailedResource[];

  constructor(code: string, message: string, details: { app: string; resources?: FailedResource[]; [key: string]: unknown }) {
    super(code, `argocd: ${message}`, { details: { system: "argocd", ...details } });
    this.resources = details.resources ?? [];
  }
}

const Empty = z.looseObject({});
const IN_PROGRESS = "another operation is already in progress";

/** A client of the Argo CD API v1 application endpoints (section 4 of the API contracts). */
export class ArgoCdClient {
  private readonly http: HttpClient;
  private readonly token: string | undefined;
  private readonly clock: Clock;
  private readonly pollIntervalMs: number;

  constructor(options: ArgoCdClientOptions) {
    this.token = options.token;
    this.clock = options.clock;
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
    const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
    this.http = createHttpClient({
      system: "argocd",
      baseUrl: options.baseUrl,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      backoffMs: options.backoffMs,
      headers: () => auth,
      errorMessage: (body) => {
        const parsed = ArgoErrorSchema.safeParse(body);
        return parsed.success ? (parsed.data.message ?? parsed.data.error) : undefined;
      },
    });
  }

  /** Reads an application; `refresh` makes Argo CD reconcile it first. */
  async getApplication(name: string, options: { refresh?: "normal" | "hard"; project?: string; signal?: AbortSignal } = {}): Promise<Application> {
    const query = { refresh: options.refresh, project: options.project };
    return this.call({ method: "GET", path: appPath(name), query, signal: options.signal }, ApplicationSchema, name);
  }

  /** Lists the applications the token may see. */
  async listApplications(options: { signal?: AbortSignal } = {}): Promise<Application[]> {
    const list = await this.call({ method: "GET", path: "/api/v1/applications", signal: options.signal }, ApplicationListSchema);
    return list.items ?? [];
  }

  /** Requests a sync; the answer means the operation was accepted, not that it finished. */
  async sync(
    name: string,
    options: { revision?: string; prune?: boolean; dryRun?: boolean; strategy?: "apply" | "hook"; syncOptions?: string[]; signal?: AbortSignal } = {},
  ): Promise<Application> {
    const json = {
      revision: options.revision,
      prune: options.prune,
      dryRun: options.dryRun,
      strategy: options.strategy ? { [options.strategy]: {} } : undefined,
      syncOptions: options.syncOptions ? { items: options.syncOptions } : undefined,
    };
    return this.call({ method: "POST", path: `${appPath(name)}/sync`, json, signal: options.signal }, ApplicationSchema);
  }

  /** Requests a rollback to a history id (POST, as Argo CD has taken since v1). */
  async rollback(name: string, options: { id: number; dryRun?: boolean; prune?: boolean; signal?: AbortSignal }): Promise<Application> {
    const json = { id: options.id, dryRun: options.dryRun, prune: options.prune };
    return this.call({ method: "POST", path: `${appPath(name)}/rollback`, json, signal: options.signal }, ApplicationSchema);
  }

  /** Terminates the running operation of an application. */
  async terminateOperation(name: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call({ method: "DELETE", path: `${appPath(name)}/operation`, signal: options.signal }, Empty);
  }

  /**
   * Polls the application until the operation requested at `since` has finished (section 4.5)
   * and returns the application then. Throws ArgoCdOperationError when it failed, ended Degraded
   * or Missing, synced another revision, or did not finish within `timeoutMs` (at most
   * timeoutMs / pollIntervalMs polls, so a simulated clock cannot make it spin forever).
   */
  async waitForOperation(name: string, options: WaitConditions & { timeoutMs: number; signal?: AbortSignal }): Promise<Application> {
    const started = this.clock.now().getTime();
    const maxPolls = Math.floor(options.timeoutMs / this.pollIntervalMs) + 1;
    let waiting = "not polled yet";
    let app: Application | undefined;
    for (let poll = 1; poll <= maxPolls; poll++) {
      app = await this.getApplication(name, { signal: options.signal });
      const verdict = checkWaitConditions(app, options);
      if (verdict.kind === "done") return app;
      if (verdict.kind === "failed") {
        throw new ArgoCdOperationError(verdict.code, this.redact(verdict.message), { app: name, resources: verdict.resources, ...state(app) });
      }
      waiting = verdict.reason;
      if (poll === maxPolls || this.clock.now().getTime() - started >= options.timeoutMs) break;
      await this.clock.sleep(this.pollIntervalMs, options.signal);
    }
    const message = `${name} did not finish within ${options.timeoutMs} ms: ${waiting}`;
    throw new ArgoCdOperationError("operation_timeout", message, { app: name, ...(app ? state(app) : {}) });
  }

  private async call<T>(req: HttpRequest, schema: z.ZodType<T>, getName?: string): Promise<T> {
    try {
      return await this.http.json(req, schema);
    } catch (error) {
      throw isUpstreamError(error) ? this.mapError(error, getName) : error;
    }
  }

  /** Names the two errors callers act on, and keeps the token out of every message. */
  private mapError(error: UpstreamError, getName: string | undefined): UpstreamError {
    let code = error.code;
    let message = error.message;
    if (getName !== undefined && error.status === 403) {
      code = "not_found_or_denied";
      const upstream = error.upstreamMessage ? `: ${error.upstreamMessage}` : "";
      message = `argocd: application not found or permission denied: "${getName}" (${error.request} answered 403${upstream})`;
    } else if (error.upstreamMessage?.includes(IN_PROGRESS)) {
      code = "operation_in_progress";
      message = `${error.message} (wait for the running operation to finish, or terminate it)`;
    }
    return new UpstreamError({
      system: error.system,
      request: error.request,
      status: error.status,
      upstreamMessage: error.upstreamMessage === undefined ? undefined : this.redact(error.upstreamMessage),
      retryable: error.retryable,
      code,
      message: this.redact(message),
      // Not the original error: its upstream message is unredacted.
      cause: error.cause,
    });
  }

  private redact(text: string): string {
    return redactSecrets(text, [this.token]);
  }
}

function appPath(name: string): string {
  return `/api/v1/applications/${encodeURIComponent(name)}`;
}

function state(app: Application): Record<string, unknown> {
  const op = app.status?.operationState;
  return {
    phase: op?.phase,
    operation_message: op?.message,
    sync: app.status?.sync?.status,
    health: app.status?.health?.status,
    health_message: app.status?.health?.message,
  };
}
