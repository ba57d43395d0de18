import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock } from "../../../core/index.js";
import { readBody } from "../../testing/read-body.js";

/** How the next operation on an app ends. */
export type FakeOutcome =
  | { phase: "Succeeded"; health: "Healthy" }
  | { phase: "Succeeded"; health: "Degraded" | "Missing"; healthMessage?: string }
  | { phase: "Failed"; message: string; resources: { kind: string; name: string; message: string }[] };

/** An application of the fake server. */
export interface FakeApp {
  name: string;
  history: { id: number; revision: string; deployedAt: string }[];
  health: { status: string; message?: string };
  reconciledAt: string;
  autoSync?: boolean;
  /** How the next sync or rollback ends (default Succeeded and Healthy). */
  next?: FakeOutcome;
}

/** A running fake Argo CD. */
export interface FakeArgoCd {
  url: string;
  requests: { method: string; path: string; body: unknown }[];
  apps: Map<string, StoredApp>;
  close(): Promise<void>;
}

type StoredApp = FakeApp & { state: AppState };

interface AppState {
  operation?: { sync: { revision: string } };
  operationState?: Record<string, unknown> & { phase: string };
  sync: { status: string; revision: string };
  /** The operation in flight: each GET moves it one step, as the controller would between polls. */
  pending?: { revision: string; dryRun: boolean; outcome: FakeOutcome; step: number };
}

/**
 * A small real Argo CD API v1 (section 4 of the API contracts): Bearer auth, GET/POST of
 * applications, sync and rollback (POST) accepted with `operation` set, the 403 for unknown apps,
 * the 400s for a running operation and an unknown history id, and operations that progress like
 * the controller's: Running, then finished with `reconciledAt` lagging, then reconciled and
 * Progressing, then the final health.
 */
export async function startFakeArgoCd(options: { token: string; clock: Clock; apps: FakeApp[] }): Promise<FakeArgoCd> {
  const ts = () => options.clock.now().toISOString().replace(/\.\d{3}Z$/, "Z");
  const apps = new Map(
    options.apps.map((a) => {
      const revision = a.history.at(-1)?.revision ?? "";
      const stored: StoredApp = { ...a, history: [...a.history], state: { sync: { status: "Synced", revision } } };
      return [a.name, stored] as const;
    }),
  );
  const requests: FakeArgoCd["requests"] = [];

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => send(res, 500, { error: String(e), code: 13, message: String(e) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const text = await readBody(req);
    const body: unknown = text ? JSON.parse(text) : undefined;
    requests.push({ method: req.method ?? "", path: url.pathname, body });
    if (req.headers.authorization !== `Bearer ${options.token}`) return error(res, 401, 16, "no session information");
    const m = /^\/api\/v1\/applications\/([^/]+)(\/sync|\/rollback)?$/.exec(url.pathname);
    const app = m ? apps.get(decodeURIComponent(m[1]!)) : undefined;
    if (m && !app) return error(res, 403, 7, "permission denied");
    if (!app || !m) return error(res, 404, 5, "Not Found");
    if (req.method === "GET" && !m[2]) {
      advance(app);
      return send(res, 200, render(app));
    }
    if (req.method !== "POST" || !m[2]) return error(res, 501, 12, "Method Not Allowed");
    if (app.state.operation || app.state.pending) return error(res, 400, 9, "error setting app operation: another operation is already in progress");
    const args = (body ?? {}) as { revision?: string; dryRun?: boolean; id?: number };
    let revision = args.revision ?? app.state.sync.revision;
    if (m[2] === "/rollback") {
      if (app.autoSync) return error(res, 400, 9, "rollback cannot be initiated when auto-sync is enabled");
      const entry = app.history.find((h) => h.id === Number(args.id));
      if (!entry) return error(res, 400, 3, `application ${app.name} does not have deployment with id ${args.id}`);
      revision = entry.revision;
    }
    const outcome = app.next ?? { phase: "Succeeded", health: "Healthy" };
    app.state.operation = { sync: { revision } };
    app.state.pending = { revision, dryRun: Boolean(args.dryRun), outcome, step: 0 };
    return send(res, 200, render(app));
  }

  function advance(app: StoredApp): void {
    const p = app.state.pending;
    if (!p) return;
    p.step++;
    const s = app.state;
    if (p.step === 1) {
      delete s.operation;
      s.operationState = { operation: { sync: { revision: p.revision } }, phase: "Running", message: "running", startedAt: ts() };
      if (!p.dryRun) s.sync = { status: "OutOfSync", revision: s.sync.revision };
    } else if (p.step === 2) {
      const failed = p.outcome.phase === "Failed";
      const resources = failed
        ? (p.outcome as Extract<FakeOutcome, { phase: "Failed" }>).resources.map((r) => ({ ...r, status: "SyncFailed", namespace: "search" }))
        : [{ kind: "Deployment", name: `${app.name}-reranker`, namespace: "search", status: "Synced", message: "configured" }];
      s.operationState = {
        ...s.operationState,
        phase: p.outcome.phase,
        message: failed ? (p.outcome as Extract<FakeOutcome, { phase: "Failed" }>).message : "successfully synced (all tasks run)",
        finishedAt: ts(),
        syncResult: { revision: p.revision, resources },
      };
      if (p.dryRun) delete app.state.pending;
      else if (!failed) {
        app.history.push({ id: (app.history.at(-1)?.id ?? 0) + 1, revision: p.revision, deployedAt: ts() });
        s.sync = { status: "Synced", revision: p.revision };
      }
      // reconciledAt stays as it was: the controller has not looked at the app since.
    } else if (p.step === 3) {
      app.reconciledAt = ts();
      if (p.outcome.phase === "Succeeded") app.health = { status: "Progressing", message: "Waiting for rollout to finish" };
      else delete app.state.pending;
    } else {
      const o = p.outcome;
      if (o.phase === "Succeeded") app.health = o.health === "Healthy" ? { status: "Healthy" } : { status: o.health, message: o.healthMessage };
      app.reconciledAt = ts();
      delete app.state.pending;
    }
  }

  function render(app: StoredApp): unknown {
    return {
      metadata: { name: app.name, namespace: "argocd", resourceVersion: String(requests.length) },
      spec: {
        project: "default",
        source: { repoURL: "https://git.example.com/platform/gitops.git", path: `apps/${app.name}`, targetRevision: "main" },
        syncPolicy: app.autoSync ? { automated: {} } : {},
      },
      ...(app.state.operation ? { operation: { ...app.state.operation, initiatedBy: { username: "autopilot" } } } : {}),
      status: {
        sync: app.state.sync,
        health: app.health,
        ...(app.state.operationState ? { operationState: app.state.operationState } : {}),
        history: app.history,
        reconciledAt: app.reconciledAt,
        resourceHealthSource: "appTree",
      },
    };
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    apps,
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

function error(res: ServerResponse, status: number, code: number, message: string): void {
  send(res, status, { error: message, code, message });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

