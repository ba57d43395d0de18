import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Autopilot } from "../../autopilot.js";
import type { SessionsRepo, TokenRow } from "../../store/index.js";
import { createAdminActions } from "../admin-actions.js";
import { ROLES, type Guards } from "../auth.js";
import { errorResponses, jsonBody, jsonContent } from "../openapi.js";

const RoleSchema = z.enum(ROLES).openapi({ description: "viewer reads; operator also chats, requests and approves; admin also administers." });
const TokenSchema = z
  .object({
    id: z.string().openapi({ example: "tok_0123456789abcdef" }),
    name: z.string(),
    role: RoleSchema,
    created_at: z.string(),
    created_by: z.string(),
    last_used_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi("Token");
const CreateBody = z
  .object({
    name: z.string().trim().max(100).regex(/^[\w.@+ -]+$/, "a name of letters, digits, spaces and . @ + - _").openapi({ example: "ci-deployer" }),
    role: RoleSchema,
  })
  .openapi("CreateTokenRequest");
const IdParams = z.object({ id: z.string().min(1).max(100).openapi({ param: { name: "id", in: "path" }, example: "tok_0123456789abcdef" }) });
const tags = ["tokens"];

const routes = {
  list: createRoute({ method: "get", path: "/", tags, summary: "API tokens (never their secrets)", responses: { 200: jsonContent(z.object({ tokens: z.array(TokenSchema) }), "Every token, revoked ones included.") } }),
  create: createRoute({
    method: "post",
    path: "/",
    tags,
    summary: "Create a token; its secret is in this answer only",
    request: { body: jsonBody(CreateBody) },
    responses: { 201: jsonContent(z.object({ token: TokenSchema, secret: z.string().openapi({ description: "The token itself (`apt_...`): shown once, stored hashed." }) }), "The new token.") },
  }),
  revoke: createRoute({
    method: "delete",
    path: "/{id}",
    tags,
    summary: "Revoke a token; its console sessions end with it",
    request: { params: IdParams },
    responses: { 200: jsonContent(z.object({ token: TokenSchema, sessions_ended: z.number().int() }), "The revoked token."), ...errorResponses(404) },
  }),
};

/** A token as the API shows it (never its secret or hash). */
function tokenView(row: TokenRow): z.infer<typeof TokenSchema> {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    created_at: row.createdAt.toISOString(),
    created_by: row.createdBy,
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
  };
}

/** API tokens: list, create, revoke (admin); each change is written to the audit trail. */
export function tokenRoutes(ap: Autopilot, guards: Guards, sessions: SessionsRepo) {
  const { operatorOf, audit } = createAdminActions(ap);
  const admin = { middleware: guards.admin };
  return new OpenAPIHono()
    .openapi({ ...routes.list, ...admin }, async (c) => c.json({ tokens: (await ap.store.tokens.list()).map(tokenView) }, 200))
    .openapi({ ...routes.create, ...admin }, async (c) => {
      const { name, role } = c.req.valid("json");
      const { token, row } = await ap.store.tokens.create({ name, role, by: operatorOf(c).id, now: new Date() });
      await audit(c, ap.environment, "token_created", { token_id: row.id, name, role });
      c.header("Cache-Control", "no-store");
      return c.json({ token: tokenView(row), secret: token }, 201);
    })
    .openapi({ ...routes.revoke, ...admin }, async (c) => {
      const { id } = c.req.valid("param");
      // An unknown id is a StoreError the error handler answers with 404.
      const row = await ap.store.tokens.revoke(id, new Date());
      // Sessions already end with their token (they are read joined to live tokens); the rows go too.
      const ended = await sessions.removeForToken(id);
      await audit(c, ap.environment, "token_revoked", { token_id: id, name: row.name, sessions_ended: ended });
      return c.json({ token: tokenView(row), sessions_ended: ended }, 200);
    });
}
