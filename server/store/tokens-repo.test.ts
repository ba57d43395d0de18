import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type Database } from "./index.js";
import { createTokensRepo } from "./tokens-repo.js";

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => db.close());

describe("tokens repo", () => {
  it("stores only a hash, verifies the secret and refuses it once revoked", async () => {
    const repo = createTokensRepo(db);
    const now = new Date("2026-11-20T10:00:00Z");
    const { token, row } = await repo.create({ name: "alice", role: "operator", by: "cli", now });
    expect(token).toMatch(/^apt_/);
    const stored = await db.query("SELECT token_hash FROM api_tokens WHERE id = $1", [row.id]);
    expect(stored.rows[0]!.token_hash).not.toContain(token);
    expect((await repo.verify(token, now))?.role).toBe("operator");
    expect(await repo.verify(`${token}x`, now)).toBeNull();
    expect(await repo.verify("not-a-token", now)).toBeNull();
    await repo.revoke(row.id, now);
    expect(await repo.verify(token, now)).toBeNull();
    expect((await repo.list()).find((t) => t.id === row.id)?.revokedAt).not.toBeNull();
  });
});
