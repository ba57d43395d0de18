import { createHash, randomBytes } from "node:crypto";
import type { Database } from "./db.js";
import { StoreError } from "./errors.js";

/** A role an API token carries: viewer reads, operator also approves, admin also administers. */
export type TokenRole = "viewer" | "operator" | "admin";

/** A token as stored (never the token itself). */
export interface TokenRow {
  id: string;
  name: string;
  role: TokenRole;
  createdAt: Date;
  createdBy: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** API tokens, stored as SHA-256 hashes. */
export interface TokensRepo {
  /** Creates a token; the returned secret is shown once and never stored. */
  create(input: { name: string; role: TokenRole; by: string; now: Date }): Promise<{ token: string; row: TokenRow }>;
  /** The live token matching `secret`, or null; marks it used. */
  verify(secret: string, now: Date): Promise<TokenRow | null>;
  list(): Promise<TokenRow[]>;
  revoke(id: string, now: Date): Promise<TokenRow>;
}

const hash = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex");

function toRow(r: Record<string, unknown>): TokenRow {
  return {
    id: String(r.id),
    name: String(r.name),
    role: r.role as TokenRole,
    createdAt: new Date(r.created_at as string),
    createdBy: String(r.created_by),
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at as string) : null,
    revokedAt: r.revoked_at ? new Date(r.revoked_at as string) : null,
  };
}

/** The tokens repository. */
export function createTokensRepo(db: Database): TokensRepo {
  return {
    async create({ name, role, by, now }) {
      const token = `apt_${randomBytes(24).toString("base64url")}`;
      const r = await db.query(
        "INSERT INTO api_tokens (id, name, role, token_hash, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
        [`tok_${randomBytes(8).toString("hex")}`, name, role, hash(token), now, by],
      );
      return { token, row: toRow(r.rows[0]!) };
    },
    async verify(secret, now) {
      if (!secret.startsWith("apt_") || secret.length > 200) return null;
      const r = await db.query("UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL RETURNING *", [hash(secret), now]);
      return r.rows[0] ? toRow(r.rows[0]) : null;
    },
    async list() {
      const r = await db.query("SELECT * FROM api_tokens ORDER BY created_at, id");
      return r.rows.map(toRow);
    },
    async revoke(id, now) {
      const r = await db.query("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING *", [id, now]);
      if (!r.rows[0]) throw new StoreError("store_not_found", `no token ${id}`);
      return toRow(r.rows[0]);
    },
  };
}
