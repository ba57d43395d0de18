import { timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { TokenRole, TokensRepo } from "../store/index.js";
import { HttpError } from "./errors.js";

/** Who calls the API. */
export interface ApiPrincipal {
  id: string;
  name: string;
  role: TokenRole;
}

const RANK: Record<TokenRole, number> = { viewer: 0, operator: 1, admin: 2 };

/** Requires a bearer API token whose role is at least `role`; sets `principal`. */
export function requireRole(tokens: TokensRepo, role: TokenRole): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new HttpError(401, "unauthenticated", "this route needs an API token: send `Authorization: Bearer <token>` (create one with `npx autopilot token create`)");
    const row = await tokens.verify(match[1]!, new Date());
    if (!row) throw new HttpError(401, "unauthenticated", "the API token is unknown or revoked");
    if (RANK[row.role] < RANK[role]) throw new HttpError(403, "forbidden", `this route needs the ${role} role; the token has ${row.role}`);
    c.set("principal" as never, { id: row.id, name: row.name, role: row.role } satisfies ApiPrincipal as never);
    await next();
  };
}

/** Compares a presented secret with the expected one in constant time. */
export function secretMatches(presented: string | undefined, expected: string): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
