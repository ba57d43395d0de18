import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "./db.js";
import { isStoreError } from "./errors.js";
import { openTestDatabase } from "./testing.js";

describe("openDatabase", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase({ migrate: false });
    await db.query(`CREATE SCHEMA IF NOT EXISTS "${db.schema}"`);
    await db.query("CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)");
  });
  afterAll(() => db.close());

  it("puts every pooled connection on the store's schema", async () => {
    const clients = await Promise.all([1, 2, 3, 4].map(() => db.pool.connect()));
    try {
      const schemas = await Promise.all(clients.map(async (c) => (await c.query<{ s: string }>("SELECT current_schema() AS s")).rows[0]?.s));
      expect(schemas).toEqual([db.schema, db.schema, db.schema, db.schema]);
    } finally {
      for (const c of clients) c.release();
    }
    const where = await db.query<{ table_schema: string }>("SELECT table_schema FROM information_schema.tables WHERE table_name = 'notes'");
    expect(where.rows.map((r) => r.table_schema)).toEqual([db.schema]);
  });

  it("commits a transaction, and rolls one back when its function throws", async () => {
    await db.withTransaction((c) => c.query("INSERT INTO notes (id, body) VALUES (1, 'kept')"));
    const failing = db.withTransaction(async (c) => {
      await c.query("INSERT INTO notes (id, body) VALUES (2, 'dropped')");
      throw new Error("boom");
    });
    await expect(failing).rejects.toMatchObject({ name: "StoreError", code: "store_transaction_failed", message: "transaction failed: boom" });
    const rows = await db.query<{ id: number }>("SELECT id FROM notes ORDER BY id");
    expect(rows.rows.map((r) => r.id)).toEqual([1]);
  });

  it("turns driver errors into StoreErrors that name the problem and keep the SQLSTATE", async () => {
    const error = await db.query("SELECT * FROM no_such_table").catch((e: unknown) => e);
    expect(isStoreError(error)).toBe(true);
    expect(error).toMatchObject({ code: "store_query_failed", details: { sqlState: "42P01" } });
    expect((error as Error).message).toMatch(/no_such_table/);
  });

  it("runs a prepared statement again and again, on several connections at once", async () => {
    await db.query("INSERT INTO notes (id, body) VALUES (10, 'ten'), (11, 'eleven') ON CONFLICT DO NOTHING");
    const read = (id: number) => db.query<{ body: string }>("SELECT body FROM notes WHERE id = $1", [id], { prepared: true });
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all([10, 11, 10, 11].map(read));
      expect(answers.map((r) => r.rows[0]?.body)).toEqual(["ten", "eleven", "ten", "eleven"]);
    }
  });

  it("answers the selects of one tick with one statement and one snapshot", async () => {
    await db.query("INSERT INTO notes (id, body) VALUES (20, 'twenty') ON CONFLICT DO NOTHING");
    const [body, count, none] = await Promise.all([
      db.select("SELECT body FROM notes WHERE id = $1", [20]),
      db.select("SELECT count(*)::int FROM notes WHERE id >= $1", [20]),
      db.select("SELECT body FROM notes WHERE id = $1", [-1]),
    ]);
    expect([body, count, none]).toEqual(["twenty", 1, null]);
    await expect(Promise.all([db.select("SELECT body FROM no_such_table", []), db.select("SELECT 1", [])])).rejects.toMatchObject({
      code: "store_query_failed",
    });
  });

  it("sets statement_timeout on PostgreSQL connections and leaves PGlite's alone", async () => {
    const r = await db.query<{ statement_timeout: string }>("SHOW statement_timeout");
    expect(r.rows[0]?.statement_timeout).toBe(db.kind === "postgres" ? "30s" : "0");
  });
});

describe("openDatabase failures", () => {
  it("names an unreachable PostgreSQL without revealing its password", async () => {
    const error = await openDatabase({ databaseUrl: "postgres://autopilot:s3cret-pw@127.0.0.1:1/autopilot", connectionTimeoutMs: 2000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "StoreError", code: "store_unavailable" });
    const message = (error as Error).message;
    expect(message).toMatch(/^cannot connect to PostgreSQL at postgres:\/\/autopilot:\*\*\*@127\.0\.0\.1:1\/autopilot/);
    expect(message).not.toContain("s3cret-pw");
  });

  it("refuses options without a database and unsafe schema names", async () => {
    await expect(openDatabase({})).rejects.toMatchObject({ code: "store_config" });
    await expect(openDatabase({ databaseUrl: "postgres//admin:hunter22@db" })).rejects.toThrow(/^databaseUrl is not a valid URL$/);
    await expect(openDatabase({ dataDir: "memory://", schema: 'x"; DROP TABLE cycles; --' })).rejects.toMatchObject({ code: "store_config" });
  });
});

describe("openDatabase on a PGlite directory", () => {
  it("creates the directory and keeps the data across restarts", async () => {
    const root = await mkdtemp(join(tmpdir(), "autopilot-store-"));
    const dataDir = join(root, "nested", "pgdata");
    try {
      const first = await openDatabase({ dataDir });
      expect(first.kind).toBe("pglite");
      await first.query("CREATE TABLE kept (v text)");
      await first.query("INSERT INTO kept VALUES ($1)", ["survives"]);
      await first.close();
      expect((await stat(dataDir)).isDirectory()).toBe(true);

      const second = await openDatabase({ dataDir });
      const r = await second.query<{ v: string }>("SELECT v FROM kept");
      await second.close();
      expect(r.rows).toEqual([{ v: "survives" }]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
