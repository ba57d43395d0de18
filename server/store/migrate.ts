import { readdir, readFile } from "node:fs/promises";
import { errorMessage } from "../../core/index.js";
import type { Database } from "./db.js";
import { StoreError } from "./errors.js";

/** One migration file: `NNN_name.sql`, applied in version order. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** What a migrate call applied (empty when another replica or an earlier start did it). */
export interface MigrateResult {
  applied: string[];
}

const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);
const FILE_NAME = /^(\d{3})_[a-z0-9_]+\.sql$/;
/** First key of the advisory lock that serialises migrations; the second is the schema's hash. */
const MIGRATE_LOCK = 0x6d696731;

/** The migration files shipped beside this module, in version order. */
export async function loadMigrations(): Promise<Migration[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => FILE_NAME.test(f)).sort();
  return Promise.all(
    files.map(async (name) => ({ version: Number(name.slice(0, 3)), name, sql: await readFile(new URL(name, MIGRATIONS_DIR), "utf8") })),
  );
}

/**
 * Brings the store's schema up to date, in one transaction. A transaction-scoped advisory lock
 * keyed on the schema makes replicas that start together wait for each other, so each migration
 * runs exactly once; the lock is taken before anything is created, because even
 * CREATE TABLE IF NOT EXISTS races with itself.
 */
export async function migrate(db: Database, migrations?: Migration[]): Promise<MigrateResult> {
  const all = migrations ?? (await loadMigrations());
  return db.withTransaction(async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [MIGRATE_LOCK, db.schema]);
    // CREATE SCHEMA IF NOT EXISTS would still need CREATE on the database, which a
    // least-privilege role may lack for an existing schema.
    const exists = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [db.schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA "${db.schema}"`);
    await client.query(`SET LOCAL search_path TO "${db.schema}"`);
    await client.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const done = await client.query<{ version: number }>("SELECT version FROM schema_migrations");
    const applied = new Set(done.rows.map((r) => r.version));
    const result: string[] = [];
    for (const migration of all) {
      if (applied.has(migration.version)) continue;
      try {
        await client.query(migration.sql);
      } catch (error) {
        throw new StoreError("store_migration_failed", `migration ${migration.name} failed: ${errorMessage(error)}`, { cause: error });
      }
      await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name]);
      result.push(migration.name);
    }
    return { applied: result };
  });
}
