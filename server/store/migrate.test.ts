import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "./db.js";
import { loadMigrations, migrate } from "./migrate.js";
import { openTestDatabase } from "./testing.js";

describe("migrate", () => {
  const opened: Database[] = [];
  afterEach(async () => {
    // Replicas first: the test database's close drops the schema they use.
    for (const db of opened.splice(0).reverse()) await db.close();
  });

  async function fresh(): Promise<Database> {
    const db = await openTestDatabase({ migrate: false });
    opened.push(db);
    return db;
  }

  it("applies every migration exactly once under concurrent calls on one pool", async () => {
    const db = await fresh();
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => migrate(db)));
    const names = (await loadMigrations()).map((m) => m.name);
    expect(results.filter((r) => r.applied.length > 0)).toEqual([{ applied: names }]);
    const versions = await db.query<{ name: string }>("SELECT name FROM schema_migrations ORDER BY version");
    expect(versions.rows.map((r) => r.name)).toEqual(names);
    const flags = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM feature_flags");
    expect(flags.rows[0]?.n).toBe(24);
    expect(await migrate(db)).toEqual({ applied: [] });
  });

  it("applies every migration exactly once when replicas with their own pools start together", async () => {
    const base = await fresh();
    const replicas = await Promise.all([1, 2, 3].map(() => openDatabase({ databaseUrl: base.connectionString, schema: base.schema, poolMax: 2 })));
    opened.push(...replicas);
    const results = await Promise.all(replicas.map((r) => migrate(r)));
    const shipped = (await loadMigrations()).length;
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, shipped]);
    const head = await base.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_head");
    expect(head.rows[0]?.n).toBe(1);
  });

  it("rolls back a failing migration and names its file", async () => {
    const db = await fresh();
    const bad = [{ version: 1, name: "001_bad.sql", sql: "CREATE TABLE half_done (id int); SELEC 1" }];
    await expect(migrate(db, bad)).rejects.toMatchObject({ code: "store_migration_failed", message: expect.stringMatching(/^migration 001_bad\.sql failed: syntax error/) });
    const left = await db.query("SELECT 1 FROM pg_tables WHERE tablename IN ('half_done', 'schema_migrations') AND schemaname = $1", [db.schema]);
    expect(left.rowCount).toBe(0);
  });
});
