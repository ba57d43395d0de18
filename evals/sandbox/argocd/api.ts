import { Hono, type Context } from "hono";
import { ArgoApplication, ArgoError } from "./application.js";

/** What the Argo CD API needs. */
export interface ArgoDeps {
  applications: Map<string, ArgoApplication>;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string;
}

/**
 * The Argo CD API subset (`/api/v1/applications...`) the tools call, mounted under `/argocd`.
 * Like the real server, an unknown application is 403 "permission denied" unless `?project=` is
 * given; errors are `{ error, code, message }`.
 */
export function createArgoApi(deps: ArgoDeps): Hono {
  const app = new Hono();

  /** The token a request carries (bearer header or the UI's cookie), if any. */
  const presented = (c: Context) => {
    const bearer = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1];
    return bearer ?? /(?:^|;\s*)argocd\.token=([^;]+)/.exec(c.req.header("cookie") ?? "")?.[1];
  };
  // Like the real server, these two answer without a session.
  app.get("/api/version", (c) => c.json({ Version: "v2.13.3+sandbox", BuildDate: "2026-01-01T00:00:00Z", GoVersion: "go1.23", Platform: "linux/amd64" }));
  app.get("/api/v1/session/userinfo", (c) => {
    const token = presented(c);
    const loggedIn = deps.token ? token === deps.token : true;
    return c.json(loggedIn ? { loggedIn: true, username: "autopilot", iss: "argocd" } : { loggedIn: false });
  });

  app.use("*", async (c, next) => {
    if (!deps.token) return next();
    const header = c.req.header("authorization") ?? "";
    const cookie = /(?:^|;\s*)argocd\.token=([^;]+)/.exec(c.req.header("cookie") ?? "")?.[1];
    if (header === `Bearer ${deps.token}` || cookie === deps.token) return next();
    throw new ArgoError(401, 16, header || cookie ? "invalid session: token signature is invalid" : "no session information");
  });

  app.get("/api/v1/applications", (c) => {
    const projects = c.req.queries("projects") ?? c.req.queries("project") ?? [];
    const items = [...deps.applications.values()].map((a) => a.json()).filter((a) => projects.length === 0 || projects.includes(a.spec.project));
    return c.json({ metadata: { resourceVersion: String(items.length) }, items });
  });
  app.get("/api/v1/applications/:name", (c) => c.json(find(c).poll()));
  app.post("/api/v1/applications/:name/sync", async (c) => c.json(find(c).sync(await body(c))));
  app.post("/api/v1/applications/:name/rollback", async (c) => c.json(find(c).rollback(await body(c))));
  app.delete("/api/v1/applications/:name/operation", (c) => {
    find(c).terminate();
    return c.json({});
  });

  // Registered last: Hono ignores a mounted app's notFound, so unknown paths end here.
  app.all("*", (c) => c.json({ error: "Not Found", code: 5, message: "Not Found" }, 404));
  app.onError((error, c) => {
    if (error instanceof ArgoError) return c.json({ error: error.message, code: error.code, message: error.message }, error.status as 400);
    return c.json({ error: error.message, code: 13, message: error.message }, 500);
  });

  function find(c: Context): ArgoApplication {
    const name = c.req.param("name") ?? "";
    const application = deps.applications.get(name);
    const project = c.req.query("project");
    if (application && (!project || project === "default")) return application;
    if (!application && project) throw new ArgoError(404, 5, `applications.argoproj.io "${name}" not found`);
    throw new ArgoError(403, 7, "permission denied");
  }
  return app;
}

/** The body Argo CD sends with a 500, for fault injection. */
export function argoFaultBody(message: string): { error: string; code: number; message: string } {
  return { error: message, code: 13, message };
}

async function body(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (!text.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object") return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ArgoError(400, 3, "invalid character in request body: expected a JSON object");
}
