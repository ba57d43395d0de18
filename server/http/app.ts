import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { Autopilot } from "../autopilot.js";
import { requireRole } from "./auth.js";
import { HttpError, renderError } from "./errors.js";
import { alertRoutes } from "./routes/alerts.js";
import { artifactRoutes, cycleRoutes } from "./routes/cycles.js";
import { approvalRoutes } from "./routes/approvals.js";
import { adminRoutes } from "./routes/admin.js";

/**
 * The HTTP API. Every route but the health checks needs a principal: an API token with a role, or
 * for the Alertmanager webhook its own shared token when one is configured.
 */
export function createApp(ap: Autopilot) {
  const tokens = ap.store.tokens;
  const viewer = requireRole(tokens, "viewer");
  const operator = requireRole(tokens, "operator");
  const admin = requireRole(tokens, "admin");
  const app = new Hono();
  app.use(requestId());
  app.use(async (c, next) => {
    const started = Date.now();
    await next();
    ap.logger.debug({ request_id: c.get("requestId"), method: c.req.method, path: c.req.path, status: c.res.status, ms: Date.now() - started }, "request");
  });
  app.onError((error, c) => renderError(error, c, ap.logger));
  app.notFound((c) => renderError(new HttpError(404, "not_found", `no route ${c.req.method} ${c.req.path}`), c, ap.logger));

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    try {
      await ap.db.query("SELECT 1");
      return c.json({ status: "ready", database: ap.db.kind, sandbox: ap.platform.allSandbox, model: ap.models.name });
    } catch {
      throw new HttpError(503, "not_ready", "the database does not answer");
    }
  });

  app.route("/api/v1/alerts", alertRoutes(ap));
  app.use("/api/v1/cycles/*", viewer);
  app.use("/api/v1/artifacts/*", viewer);
  app.use("/api/v1/approvals/*", viewer);
  app.route("/api/v1/cycles", cycleRoutes(ap));
  app.route("/api/v1/artifacts", artifactRoutes(ap));
  app.route("/api/v1/approvals", approvalRoutes(ap, operator));
  app.route("/api/v1", adminRoutes(ap, admin, viewer));
  return app;
}
