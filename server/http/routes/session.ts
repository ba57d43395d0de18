import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Autopilot } from "../../autopilot.js";
import type { SessionsRepo } from "../../store/index.js";
import { principalOf, ROLES, type Auth } from "../auth.js";
import { clientAddress } from "../rate-limit.js";
import { HttpError } from "../errors.js";
import { errorResponses, jsonBody, jsonContent } from "../openapi.js";
import { isSameOrigin, type SessionCookies } from "../session-cookie.js";

const PrincipalSchema = z.object({ name: z.string(), role: z.enum(ROLES) }).openapi("Principal");
const SessionSchema = z
  .object({
    principal: PrincipalSchema,
    via: z.enum(["session", "token"]).openapi({ description: "How this request was authenticated." }),
    expires_at: z.string().nullable().openapi({ description: "When the session ends (null for a bearer token)." }),
  })
  .openapi("Session");
const SignIn = z.object({ token: z.string().min(1).max(200).openapi({ description: "An API token (`apt_...`).", example: "apt_..." }) }).openapi("SignInRequest");
const tags = ["session"];

const routes = {
  signIn: createRoute({
    method: "post",
    path: "/",
    tags,
    summary: "Sign the console in with an API token",
    description: "Sets the session cookie (HttpOnly, SameSite=Strict, Path=/, signed; Secure over https). The session lasts SESSION_TTL_HOURS and ends with its token.",
    request: { body: jsonBody(SignIn) },
    responses: { 200: jsonContent(SessionSchema, "Signed in; the cookie is set."), ...errorResponses(401, 403) },
  }),
  read: createRoute({ method: "get", path: "/", tags, summary: "Who is signed in", responses: { 200: jsonContent(SessionSchema, "The principal of this request.") } }),
  signOut: createRoute({
    method: "delete",
    path: "/",
    tags,
    summary: "Sign out: the session ends on every replica and the cookie is cleared",
    responses: { 200: jsonContent(z.object({ signed_out: z.boolean().openapi({ description: "False when the request used a bearer token (there was no session to end)." }) }), "Signed out.") },
  }),
};

/** The console's session: sign in with a token, read who is signed in, sign out. */
export function sessionRoutes(ap: Autopilot, auth: Auth, deps: { sessions: SessionsRepo; cookies: SessionCookies }) {
  const { sessions, cookies } = deps;
  const ttlMs = ap.config.http.session.ttlMs;
  return new OpenAPIHono()
    .openapi(routes.signIn, async (c) => {
      // A page of another site must not sign a browser in as someone else (login CSRF).
      if (c.req.header("origin") && !isSameOrigin(c)) throw new HttpError(403, "cross_origin", "sign in from the console's own origin");
      const row = await ap.store.tokens.verify(c.req.valid("json").token, new Date());
      if (!row) {
        // On the log, not the audit trail: anyone can send a wrong token, and the trail is for principals' acts.
        ap.logger.warn({ request_id: c.get("requestId" as never), address: clientAddress(c) }, "sign-in refused: unknown or revoked token");
        throw new HttpError(401, "unauthenticated", "the API token is unknown or revoked");
      }
      const previous = await cookies.read(c);
      if (typeof previous === "string") await sessions.remove(previous);
      const session = await sessions.create({ tokenId: row.id, now: new Date(), ttlMs });
      await cookies.write(c, session.id, session.expiresAt);
      await ap.audit.append({ at: ap.platform.clock.now(), cycleId: null, kind: "session_started", actor: { type: "Operator", id: row.name }, decision: row.role, data: { token_id: row.id, expires_at: session.expiresAt.toISOString() } });
      c.set("principal" as never, { id: row.id, name: row.name, role: row.role } as never);
      c.header("Cache-Control", "no-store");
      return c.json({ principal: { name: row.name, role: row.role }, via: "session" as const, expires_at: session.expiresAt.toISOString() }, 200);
    })
    .openapi({ ...routes.read, middleware: auth.guards.viewer }, async (c) => {
      const a = await auth.authenticate(c);
      const { name, role } = principalOf(c);
      return c.json({ principal: { name, role }, via: a.principal && a.via === "session" ? ("session" as const) : ("token" as const), expires_at: a.principal && a.via === "session" ? a.expiresAt.toISOString() : null }, 200);
    })
    .openapi({ ...routes.signOut, middleware: auth.guards.viewer }, async (c) => {
      const a = await auth.authenticate(c);
      const ended = a.principal !== null && a.via === "session" && (await sessions.remove(a.sessionId));
      cookies.clear(c);
      if (ended) await ap.audit.append({ at: ap.platform.clock.now(), cycleId: null, kind: "session_ended", actor: { type: "Operator", id: principalOf(c).name }, decision: "signed_out", data: {} });
      return c.json({ signed_out: ended }, 200);
    });
}
