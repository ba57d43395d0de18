import type { OpenAPIHono, z } from "@hono/zod-openapi";
import type { TokenRole } from "../store/index.js";
import { guardRole, roleIncludes } from "./auth.js";
import { ErrorBodySchema } from "./errors.js";
import { SESSION_COOKIE } from "./session-cookie.js";

/**
 * A copy of a schema made before @hono/zod-openapi loaded (core's, graphs'): zod v4 copies the
 * methods onto each instance as it is made, so only an instance made after the extension has
 * `.openapi()`.
 */
export function documentable<T extends z.ZodType>(schema: T): T {
  return schema.clone() as T;
}

/** A JSON response (or request body) of `schema` for a route's `createRoute` declaration. */
export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A required JSON request body of `schema`. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, description, content: { "application/json": { schema } } };
}

/** An optional JSON request body: no body reads as `{}`. */
export function optionalJsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: false, description, content: { "application/json": { schema } } };
}

const ERROR_WORDS: Record<number, string> = {
  400: "The request does not fit the route's schemas; every problem is named.",
  401: "No principal: a missing, unknown or revoked token, or no live session.",
  403: "The principal's role is too low, the policies refuse the action, or a cookie-signed write came from another origin.",
  404: "Nothing by that id or name.",
  409: "The thing is not in a state that allows this (already decided, expired, ...).",
  413: "The body is over the route's size limit.",
  415: "The body is not application/json.",
  429: "Over the write rate limit of this principal or address on this replica; `Retry-After` says when to try again.",
  503: "Not ready.",
};

/** Error responses in the one error shape, for a route's `responses`. */
export function errorResponses(...statuses: Array<keyof typeof ERROR_WORDS>) {
  return Object.fromEntries(statuses.map((s) => [s, jsonContent(ErrorBodySchema, ERROR_WORDS[s]!)])) as Record<number, ReturnType<typeof jsonContent<typeof ErrorBodySchema>>>;
}

/** How the API decides who may call an operation, beside the guards a route carries. */
export interface AccessRules {
  /** The least role every route under the API needs (the central guard), or null for a public route. */
  minimumRole(method: string, path: string): TokenRole | null;
  /** The security requirement of a public route that checks credentials of its own (the webhook). */
  ownSecurity(method: string, path: string): Array<Record<string, string[]>> | undefined;
}

type Operation = {
  parameters?: Array<{ name: string; in: string; example?: unknown; schema?: { example?: unknown } }>;
  requestBody?: unknown;
  responses: Record<string, unknown>;
  security?: Array<Record<string, string[]>>;
  "x-required-role"?: TokenRole;
};

const METHODS = ["get", "put", "post", "delete", "patch"] as const;
const UNSAFE = new Set(["put", "post", "delete", "patch"]);
const errorRef = (status: number) => ({ description: ERROR_WORDS[status]!, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });

/**
 * The OpenAPI 3 document of `app`, generated from its routes' schemas. Each operation also states
 * what the wiring enforces: the role its guards require (`x-required-role`, read from the router, so a
 * new route is described by what it does), its security, and the errors every route of its kind may
 * answer (401/403 when guarded; 413/415/429 for writes).
 */
export function buildOpenApiDocument(app: OpenAPIHono, rules: AccessRules) {
  app.openAPIRegistry.register("Error", ErrorBodySchema);
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerToken", { type: "http", scheme: "bearer", description: "An API token (`npx autopilot token create --role viewer|operator|admin`)." });
  app.openAPIRegistry.registerComponent("securitySchemes", "sessionCookie", { type: "apiKey", in: "cookie", name: SESSION_COOKIE, description: "The console's session, set by `POST /api/v1/session`." });
  app.openAPIRegistry.registerComponent("securitySchemes", "webhookToken", { type: "http", scheme: "bearer", description: "ALERTMANAGER_WEBHOOK_TOKEN, when it is set." });
  const doc = app.getOpenAPIDocument({
    openapi: "3.0.3",
    info: {
      title: "mlops-autopilot API",
      version: "v1",
      description: "The autopilot's HTTP API: cycles, approvals, the kill switch and flags, tokens, the console's session. Errors have one shape: `{ error: { code, message, details } }`.",
    },
  });
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      const role = requiredRole(app, rules, method, path, op);
      if (role) {
        op["x-required-role"] = role;
        op.security = [{ bearerToken: [] }, { sessionCookie: [] }];
        op.responses["401"] ??= errorRef(401);
        if (role !== "viewer" || UNSAFE.has(method)) op.responses["403"] ??= errorRef(403);
      } else {
        op.security = rules.ownSecurity(method.toUpperCase(), path) ?? [];
      }
      if ((op.requestBody || op.parameters?.length) && !op.responses["400"]) op.responses["400"] = errorRef(400);
      if (UNSAFE.has(method)) {
        op.responses["413"] ??= errorRef(413);
        if (op.requestBody) op.responses["415"] ??= errorRef(415);
        op.responses["429"] ??= { ...errorRef(429), headers: { "Retry-After": { description: "Seconds until the limit resets.", schema: { type: "integer" } } } };
      }
    }
  }
  return doc;
}

/** The highest role the central rule and the guards matched for this operation require. */
function requiredRole(app: OpenAPIHono, rules: AccessRules, method: string, path: string, op: Operation): TokenRole | null {
  // A concrete path the router can match: each {param} filled with its example, or a placeholder.
  const concrete = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const param = op.parameters?.find((p) => p.in === "path" && p.name === name);
    return encodeURIComponent(String(param?.example ?? param?.schema?.example ?? "x1"));
  });
  const [matches] = app.router.match(method.toUpperCase(), concrete) as unknown as [Array<[[unknown, unknown], unknown]>];
  const roles = matches.map(([[handler]]) => guardRole(handler)).filter((r): r is TokenRole => r !== undefined);
  const minimum = rules.minimumRole(method.toUpperCase(), path);
  if (minimum) roles.push(minimum);
  return roles.reduce<TokenRole | null>((top, r) => (top === null || roleIncludes(r, top) && r !== top ? r : top), null);
}
