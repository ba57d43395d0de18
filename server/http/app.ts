import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { Autopilot } from "../autopilot.js";
import { createMetrics } from "../metrics.js";
import { createSessionsRepo, type TokenRole } from "../store/index.js";
import { createAuth } from "./auth.js";
import { limitBody, validationHook } from "./body.js";
import { HttpError, renderError } from "./errors.js";
import { buildOpenApiDocument, errorResponses, jsonContent, type AccessRules } from "./openapi.js";
import { clientAddress, limitRate } from "./rate-limit.js";
import { assignRequestId, logRequests } from "./request-log.js";
import { createSessionCookies } from "./session-cookie.js";
import { adminRoutes } from "./routes/admin.js";
import { alertRoutes, WEBHOOK_MAX_BYTES } from "./routes/alerts.js";
import { approvalRoutes } from "./routes/approvals.js";
import { mcpRoutes } from "../mcp/index.js";
import { chatRoutes } from "./routes/chat.js";
import { consoleRoutes } from "./routes/console.js";
import { cycleLiveRoutes, liveEventRoutes } from "./routes/cycle-live.js";
import { artifactRoutes, cycleRoutes } from "./routes/cycles.js";
import { policyRoutes } from "./routes/policies.js";
import { reportRoutes } from "./routes/report.js";
import { sessionRoutes } from "./routes/session.js";
import { tokenRoutes } from "./routes/tokens.js";

const WEBHOOK = "/api/v1/alerts/alertmanager";
/** The API routes that need no principal: they check credentials of their own. */
const PUBLIC_API = new Set([`POST ${WEBHOOK}`, "POST /api/v1/session"]);
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Who may call what, as the central rule below enforces it; the OpenAPI document states it too. */
const ACCESS: AccessRules = {
  minimumRole: (method: string, path: string): TokenRole | null => (path.startsWith("/api/v1/") && !PUBLIC_API.has(`${method} ${path}`) ? "viewer" : null),
  ownSecurity: (method, path): Array<Record<string, string[]>> | undefined => (`${method} ${path}` === `POST ${WEBHOOK}` ? [{ webhookToken: [] }, { bearerToken: [] }] : undefined),
};

const health = {
  live: createRoute({ method: "get", path: "/healthz", tags: ["health"], summary: "Liveness", responses: { 200: jsonContent(z.object({ status: z.literal("ok") }), "The process answers.") } }),
  ready: createRoute({
    method: "get",
    path: "/readyz",
    tags: ["health"],
    summary: "Readiness: the database answers",
    responses: { 200: jsonContent(z.object({ status: z.literal("ready"), database: z.string(), sandbox: z.boolean(), model: z.string() }), "Ready."), ...errorResponses(503) },
  }),
  metrics: createRoute({
    method: "get",
    path: "/metrics",
    tags: ["health"],
    summary: "The server's Prometheus metrics (text exposition format)",
    responses: { 200: { description: "Cycles by outcome, tool calls and policy decisions, HTTP and tool latencies, process metrics.", content: { "text/plain": { schema: z.string() } } } },
  }),
  openapi: createRoute({
    method: "get",
    path: "/api/v1/openapi.json",
    tags: ["health"],
    summary: "This document",
    responses: { 200: jsonContent(z.record(z.string(), z.unknown()).openapi({ description: "An OpenAPI 3 document." }), "The API's OpenAPI 3 document, generated from the routes' schemas.") },
  }),
};

/**
 * The HTTP API, the console and the metrics. Every route but the health checks and the console's
 * static files needs a principal: an API token or a console session, with a role; the Alertmanager
 * webhook takes its own shared token. Writes have a body size limit and a rate limit per principal
 * (or per address before sign-in), counted by each replica.
 */
export function createApp(ap: Autopilot) {
  const sessions = createSessionsRepo(ap.db);
  const cookies = createSessionCookies(ap.config.http.session, sessions);
  const auth = createAuth({ tokens: ap.store.tokens, sessions, cookies });
  const { guards } = auth;
  const metrics = createMetrics({
    events: ap.events,
    isTool: (name) => ap.gate.tool(name) !== undefined,
    cycleStartedAt: async (cycleId) => {
      const [first] = await ap.store.audit.list({ cycleId, limit: 1 });
      return first?.kind === "cycle_started" ? first.at : null;
    },
    logger: ap.logger,
  });

  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.use(assignRequestId());
  app.use(logRequests(ap.logger, metrics));
  app.onError((error, c) => renderError(error, c, ap.logger));
  app.notFound((c) => renderError(new HttpError(404, "not_found", `no route ${c.req.method} ${c.req.path}`), c, ap.logger));

  app.openapi(health.live, (c) => c.json({ status: "ok" as const }, 200));
  app.openapi(health.ready, async (c) => {
    try {
      await ap.db.query("SELECT 1");
    } catch {
      throw new HttpError(503, "not_ready", "the database does not answer");
    }
    return c.json({ status: "ready" as const, database: ap.db.kind, sandbox: ap.platform.allSandbox, model: ap.models.name }, 200);
  });
  app.openapi({ ...health.metrics, middleware: guards.viewer }, async (c) => c.text(await metrics.render(), 200, { "Content-Type": metrics.contentType }));

  app.use("/api/*", async (c, next) => {
    await next();
    // Answers name people, tokens and approvals: no cache keeps them (a stream sets its own).
    if (!c.res.headers.has("cache-control")) c.res.headers.set("Cache-Control", "no-store");
  });
  app.use("/api/*", writeLimits(ap, auth.authenticate));
  // The central rule: a principal for every API route but the two that check credentials of their own.
  app.use("/api/v1/*", (c, next) => (PUBLIC_API.has(`${c.req.method} ${c.req.path}`) ? next() : guards.viewer(c, next)));

  app.route("/api/v1/alerts", alertRoutes(ap, guards));
  app.route("/api/v1/session", sessionRoutes(ap, auth, { sessions, cookies }));
  app.route("/api/v1/cycles", cycleRoutes(ap, guards));
  app.route("/api/v1/cycles", cycleLiveRoutes(ap, guards));
  app.route("/api/v1/events", liveEventRoutes(ap, guards));
  app.route("/api/v1/artifacts", artifactRoutes(ap, guards));
  app.route("/api/v1/approvals", approvalRoutes(ap, guards));
  app.route("/api/v1/chat", chatRoutes(ap, guards));
  app.route("/api/v1/report", reportRoutes(ap, guards));
  app.route("/api/v1/tokens", tokenRoutes(ap, guards, sessions));
  app.route("/api/v1", adminRoutes(ap, guards));
  app.route("/api/v1", policyRoutes(ap, guards));
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  app.openapi({ ...health.openapi, middleware: guards.viewer }, (c) => c.json((document ??= buildOpenApiDocument(app, ACCESS)) as unknown as Record<string, unknown>, 200));
  // An unknown API path is a 404 in the error shape, never the console's page.
  app.all("/api/*", (c) => {
    throw new HttpError(404, "not_found", `no route ${c.req.method} ${c.req.path}`);
  });
  // MCP for external assistants: its own bearer check, Host/Origin allowlists and JSON-RPC errors.
  app.route("/mcp", mcpRoutes(ap, ap.config.http.mcp));
  app.route("/", consoleRoutes());
  return app;
}

/**
 * Body size and rate limits of every write: the webhook's larger body limit and its own rate per
 * address; every other write its configured body limit and a rate per principal (token), or per
 * address when it names none. The body limit goes first: it needs no database.
 */
function writeLimits(ap: Autopilot, authenticate: ReturnType<typeof createAuth>["authenticate"]): MiddlewareHandler {
  const { bodyLimitBytes, writesPerMinute, webhookPerMinute } = ap.config.http;
  const bodies = { api: limitBody(bodyLimitBytes), webhook: limitBody(WEBHOOK_MAX_BYTES) };
  const rates = {
    api: limitRate({
      perMinute: writesPerMinute,
      what: "writes",
      key: async (c) => {
        const a = await authenticate(c);
        return a.principal ? `token:${a.principal.id}` : `address:${clientAddress(c)}`;
      },
    }),
    webhook: limitRate({ perMinute: webhookPerMinute, what: "webhook deliveries", key: (c) => `address:${clientAddress(c)}` }),
  };
  return async (c, next) => {
    if (!UNSAFE.has(c.req.method)) return next();
    const kind = c.req.path === WEBHOOK ? "webhook" : "api";
    await bodies[kind](c, async () => {
      await rates[kind](c, next);
    });
  };
}
