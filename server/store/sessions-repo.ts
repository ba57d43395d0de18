import { createHash, randomBytes } from "node:crypto";
import type { Database } from "./db.js";
import type { TokenRole } from "./tokens-repo.js";

/** A live session: the token it was opened with, as that token is now. */
export interface SessionRow {
  tokenId: string;
  name: string;
  role: TokenRole;
  expiresAt: Date;
}

/** Console sessions, stored as SHA-256 hashes of their ids, and the secrets replicas share. */
export interface SessionsRepo {
  /** Opens a session for a token; the returned id goes into the cookie and is never stored. */
  create(input: { tokenId: string; now: Date; ttlMs: number }): Promise<{ id: string; expiresAt: Date }>;
  /** The session `id` names while it has not expired and its token is not revoked, or null. */
  verify(id: string, now: Date): Promise<SessionRow | null>;
  /** Ends one session; true when there was one. */
  remove(id: string): Promise<boolean>;
  /** Ends every session of a token; how many there were. */
  removeForToken(tokenId: string): Promise<number>;
  /** The secret stored under `name`, created with `generate` by whichever replica asks first. */
  sharedSecret(name: string, generate: () => string, now: Date): Promise<string>;
}

const PREFIX = "aps_";
const hash = (id: string) => createHash("sha256").update(id, "utf8").digest("hex");

/** The sessions repository. */
export function createSessionsRepo(db: Database): SessionsRepo {
  return {
    async create({ tokenId, now, ttlMs }) {
      const id = `${PREFIX}${randomBytes(32).toString("base64url")}`;
      const expiresAt = new Date(now.getTime() + ttlMs);
      // Sign-ins are rare: the expired rows go here rather than on a timer.
      await db.query("DELETE FROM api_sessions WHERE expires_at <= $1", [now]);
      await db.query("INSERT INTO api_sessions (id_hash, token_id, created_at, expires_at) VALUES ($1, $2, $3, $4)", [hash(id), tokenId, now, expiresAt]);
      return { id, expiresAt };
    },
    async verify(id, now) {
      if (!id.startsWith(PREFIX) || id.length > 100) return null;
      const r = await db.query(
        `SELECT s.token_id, s.expires_at, t.name, t.role FROM api_sessions s JOIN api_tokens t ON t.id = s.token_id
          WHERE s.id_hash = $1 AND s.expires_at > $2 AND t.revoked_at IS NULL`,
        [hash(id), now],
      );
      const row = r.rows[0];
      return row ? { tokenId: String(row.token_id), name: String(row.name), role: row.role as TokenRole, expiresAt: new Date(row.expires_at as string) } : null;
    },
    async remove(id) {
      const r = await db.query("DELETE FROM api_sessions WHERE id_hash = $1", [hash(id)]);
      return (r.rowCount ?? 0) > 0;
    },
    async removeForToken(tokenId) {
      const r = await db.query("DELETE FROM api_sessions WHERE token_id = $1", [tokenId]);
      return r.rowCount ?? 0;
    },
    async sharedSecret(name, generate, now) {
      await db.query("INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING", [name, generate(), now]);
      const r = await db.query("SELECT value FROM server_secrets WHERE name = $1", [name]);
      return String(r.rows[0]!.value);
    },
  };
}
