import type { Context, MiddlewareHandler } from "hono";
import { requestId } from "hono/request-id";
import { matchedRoutes } from "hono/route";
import type { Logger } from "../logger.js";
import type { ServerMetrics } from "../metrics.js";
import type { ApiPrincipal } from "./auth.js";

/** Paths probed every few seconds: logged at debug while they answer well. */
const PROBES = new Set(["/healthz", "/readyz", "/metrics"]);

/**
 * Request ids: a caller's `X-Request-Id` is kept when it is sane (at most 128 word characters,
 * `-` or `=`), otherwise one is generated; it is returned in the `X-Request-Id` header and in
 * every error's details.
 */
export function assignRequestId(): MiddlewareHandler {
  return requestId({ limitLength: 128 });
}

/**
 * The route a request matched, as its pattern (`/api/v1/cycles/:id`), for logs and metric labels:
 * never the raw path, whose ids would make a label per request.
 */
function routeOf(c: Context): string {
  const routes = matchedRoutes(c);
  const specific = (r: { method: string; path: string } | undefined) => r !== undefined && r.method !== "ALL" && !r.path.endsWith("*");
  const current = routes[c.req.routeIndex];
  if (specific(current)) return current!.path;
  return routes.find(specific)?.path ?? "unmatched";
}

/**
 * One structured line per request (request id, method, path, route, status, ms, principal; never
 * a header, token or cookie), and the request counted in the HTTP metrics.
 */
export function logRequests(logger: Logger, metrics: ServerMetrics): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const ms = performance.now() - started;
    const route = routeOf(c);
    const status = c.res.status;
    metrics.observeRequest(c.req.method, route, status, ms / 1000);
    const principal = (c.get("principal" as never) as ApiPrincipal | undefined)?.name ?? (c.get("caller" as never) as string | undefined);
    const line = { request_id: c.get("requestId"), method: c.req.method, path: c.req.path, route, status, ms: Math.round(ms * 10) / 10, principal };
    if (status >= 500) logger.warn(line, "request");
    else if (PROBES.has(c.req.path) && status < 400) logger.debug(line, "request");
    else logger.info(line, "request");
  };
}
