import { timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import type { SessionsRepo, TokenRole, TokensRepo } from "../store/index.js";
import { HttpError } from "./errors.js";
import { isSameOrigin, type SessionCookies } from "./session-cookie.js";

/** Who calls the API. */
export interface ApiPrincipal {
  id: string;
  name: string;
  role: TokenRole;
}

/** The middleware that requires each role (a route module receives these from `createApp`). */
export type Guards = Record<TokenRole, MiddlewareHandler>;

/** Who a request's credentials name, and how they were presented; or why they name nobody. */
export type Authentication =
  | { principal: ApiPrincipal; via: "token" }
  | { principal: ApiPrincipal; via: "session"; sessionId: string; expiresAt: Date }
  | { principal: null; reason: string };

/** Resolves credentials (once per request) and guards routes by role. */
export interface Auth {
  /** The request's principal from its bearer token or session cookie; a presented bearer wins. */
  authenticate(c: Context): Promise<Authentication>;
  guards: Guards;
}

/** Roles in order: each includes what the ones before it may do. */
export const ROLES = ["viewer", "operator", "admin"] as const satisfies readonly TokenRole[];
const RANK: Record<TokenRole, number> = { viewer: 0, operator: 1, admin: 2 };
/** Methods that change something: a session cookie is accepted for them only from this server's own pages. */
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Marks a guard with the role it requires, so the OpenAPI document can state each route's role. */
const GUARD_ROLE = Symbol("guardRole");

/** The role a guard middleware requires, or undefined for any other handler. */
export function guardRole(handler: unknown): TokenRole | undefined {
  if (typeof handler !== "function") return undefined;
  // A sub-app with an error handler of its own wraps each handler and keeps the original here.
  const h = handler as { [GUARD_ROLE]?: TokenRole; __COMPOSED_HANDLER?: unknown };
  return h[GUARD_ROLE] ?? guardRole(h.__COMPOSED_HANDLER);
}

/** Whether `role` includes `required`. */
export function roleIncludes(role: TokenRole, required: TokenRole): boolean {
  return RANK[role] >= RANK[required];
}

const NO_CREDENTIALS = "this route needs a principal: send `Authorization: Bearer <token>` (create one with `npx autopilot token create`) or sign in to the console";

/** Creates the request authentication and the role guards. */
export function createAuth(deps: { tokens: TokensRepo; sessions: SessionsRepo; cookies: SessionCookies; now?: () => Date }): Auth {
  const now = deps.now ?? (() => new Date());
  const resolve = async (c: Context): Promise<Authentication> => {
    const header = c.req.header("authorization");
    if (header !== undefined) {
      const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      if (!bearer) return { principal: null, reason: "the Authorization header must be `Bearer <token>`" };
      const row = await deps.tokens.verify(bearer, now());
      return row ? { principal: { id: row.id, name: row.name, role: row.role }, via: "token" } : { principal: null, reason: "the API token is unknown or revoked" };
    }
    const sessionId = await deps.cookies.read(c);
    if (sessionId === undefined) return { principal: null, reason: NO_CREDENTIALS };
    if (sessionId === false) return { principal: null, reason: "the session cookie is not valid; sign in again" };
    const session = await deps.sessions.verify(sessionId, now());
    if (!session) return { principal: null, reason: "the session has ended (signed out, expired or its token revoked); sign in again" };
    return { principal: { id: session.tokenId, name: session.name, role: session.role }, via: "session", sessionId, expiresAt: session.expiresAt };
  };
  const authenticate = async (c: Context): Promise<Authentication> => {
    const known = c.get("authentication" as never) as Promise<Authentication> | undefined;
    if (known) return known;
    const pending = resolve(c);
    c.set("authentication" as never, pending as never);
    return pending;
  };
  const guard = (role: TokenRole): MiddlewareHandler => {
    const middleware: MiddlewareHandler = async (c, next) => {
      const auth = await authenticate(c);
      if (!auth.principal) throw new HttpError(401, "unauthenticated", auth.reason);
      if (auth.via === "session" && UNSAFE.has(c.req.method) && !isSameOrigin(c)) {
        throw new HttpError(403, "cross_origin", "a request signed in with the console's cookie must come from the console's own origin");
      }
      if (!roleIncludes(auth.principal.role, role)) throw new HttpError(403, "forbidden", `this route needs the ${role} role; ${auth.principal.name} has ${auth.principal.role}`);
      c.set("principal" as never, auth.principal as never);
      await next();
    };
    return Object.assign(middleware, { [GUARD_ROLE]: role });
  };
  return { authenticate, guards: { viewer: guard("viewer"), operator: guard("operator"), admin: guard("admin") } };
}

/** The principal a guard let in. */
export function principalOf(c: Context): ApiPrincipal {
  return c.get("principal" as never) as ApiPrincipal;
}

/** Compares a presented secret with the expected one in constant time. */
export function secretMatches(presented: string | undefined, expected: string): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
