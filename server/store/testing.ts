import { randomBytes } from "node:crypto";
import { openDatabase, type Database } from "./db.js";
import { migrate } from "./migrate.js";

/** Options of a test database. */
export interface TestDatabaseOptions {
  /** Run the migrations (default true). */
  migrate?: boolean;
}

/**
 * A fresh database for a test. With DATABASE_URL set it lives in a new schema `t_<random>` of that
 * PostgreSQL, dropped with CASCADE on close; otherwise it is an in-memory PGlite. Every store test
 * uses it, so one suite exercises both backends.
 */
export async function openTestDatabase(options: TestDatabaseOptions = {}): Promise<Database> {
  const url = process.env.DATABASE_URL;
  const db = url
    ? await openDatabase({ databaseUrl: url, schema: `t_${randomBytes(6).toString("hex")}`, poolMax: 8 })
    : await openDatabase({ dataDir: "memory://", poolMax: 8 });
  if (options.migrate ?? true) await migrate(db);
  if (!url) return db;
  const close = db.close.bind(db);
  let closing: Promise<void> | undefined;
  return {
    ...db,
    close() {
      closing ??= db.query(`DROP SCHEMA IF EXISTS "${db.schema}" CASCADE`).then(close, async (error: unknown) => {
        await close();
        throw error;
      });
      return closing;
    },
  };
}
