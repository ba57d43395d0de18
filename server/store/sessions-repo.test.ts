import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type Database } from "./index.js";
import { createSessionsRepo } from "./sessions-repo.js";
import { createTokensRepo } from "./tokens-repo.js";

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => db.close());

const now = new Date("2026-11-20T10:00:00Z");
const later = (ms: number) => new Date(now.getTime() + ms);

describe("sessions repo", () => {
  it("stores only a hash and reads the session back with its token's name and role until it expires", async () => {
    const tokens = createTokensRepo(db);
    const sessions = createSessionsRepo(db);
    const { row } = await tokens.create({ name: "alice", role: "operator", by: "test", now });
    const { id, expiresAt } = await sessions.create({ tokenId: row.id, now, ttlMs: 3_600_000 });
    expect(id).toMatch(/^aps_[\w-]{43}$/);
    expect(expiresAt).toEqual(later(3_600_000));
    const stored = await db.query("SELECT id_hash FROM api_sessions");
    expect(stored.rows.map((r) => r.id_hash)).not.toContain(id);
    expect(await sessions.verify(id, later(1000))).toEqual({ tokenId: row.id, name: "alice", role: "operator", expiresAt });
    expect(await sessions.verify(id, later(3_600_000))).toBeNull();
    expect(await sessions.verify(`${id}x`, now)).toBeNull();
    expect(await sessions.verify("apt_not-a-session", now)).toBeNull();
  });

  it("ends with its token's revocation, with sign-out, and with removeForToken; expired rows go at the next sign-in", async () => {
    const tokens = createTokensRepo(db);
    const sessions = createSessionsRepo(db);
    const { row } = await tokens.create({ name: "bob", role: "viewer", by: "test", now });
    const a = await sessions.create({ tokenId: row.id, now, ttlMs: 60_000 });
    const b = await sessions.create({ tokenId: row.id, now, ttlMs: 60_000 });
    expect(await sessions.remove(a.id)).toBe(true);
    expect(await sessions.remove(a.id)).toBe(false);
    expect(await sessions.verify(a.id, now)).toBeNull();
    expect((await sessions.verify(b.id, now))?.name).toBe("bob");
    await tokens.revoke(row.id, now);
    expect(await sessions.verify(b.id, now)).toBeNull();
    expect(await sessions.removeForToken(row.id)).toBe(1);

    const { row: carol } = await tokens.create({ name: "carol", role: "admin", by: "test", now });
    await sessions.create({ tokenId: carol.id, now, ttlMs: 1000 });
    await sessions.create({ tokenId: carol.id, now: later(5000), ttlMs: 1000 });
    const left = await db.query("SELECT count(*)::int AS n FROM api_sessions WHERE token_id = $1", [carol.id]);
    expect(left.rows[0]!.n).toBe(1);
  });

  it("keeps the first shared secret whichever replica asks", async () => {
    const one = createSessionsRepo(db);
    const two = createSessionsRepo(db);
    const [a, b] = await Promise.all([one.sharedSecret("probe", () => "first-secret", now), two.sharedSecret("probe", () => "second-secret", now)]);
    expect(a).toBe(b);
    expect(["first-secret", "second-secret"]).toContain(a);
    expect(await one.sharedSecret("probe", () => "third-secret", now)).toBe(a);
  });
});
