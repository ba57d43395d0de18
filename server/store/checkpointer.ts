import type pg from "pg";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { errorMessage } from "../../core/index.js";
import type { Database } from "./db.js";
import { StoreError } from "./errors.js";

/** First key of the session advisory lock that serialises checkpointer set-up across replicas. */
const SETUP_LOCK = 0x63687074;
/** The last set-up per database and schema, so calls in one process run one after another. */
const setups = new Map<string, Promise<unknown>>();

/**
 * The LangGraph checkpointer on the store's own pool and schema (checkpoints share the database
 * with cycles). Do not call the saver's `end()`: it would end the store's pool; `db.close()` does.
 *
 * `setup()` creates its tables and is not safe to run concurrently. Replicas are serialised by a
 * session advisory lock held on a second pooled connection (the pool needs at least two). On
 * PGlite every connection is the same session, where that lock excludes nobody, so calls in this
 * process also wait for each other.
 */
export async function createCheckpointer(db: Database): Promise<PostgresSaver> {
  const saver = new PostgresSaver(db.pool, undefined, { schema: db.schema });
  const key = `${db.connectionString}\u0000${db.schema}`;
  const mine = (setups.get(key) ?? Promise.resolve()).catch(() => {}).then(() => setUpLocked(db, saver));
  setups.set(key, mine);
  try {
    await mine;
  } finally {
    if (setups.get(key) === mine) setups.delete(key);
  }
  return saver;
}

async function setUpLocked(db: Database, saver: PostgresSaver): Promise<void> {
  let client: pg.PoolClient;
  try {
    client = await db.pool.connect();
  } catch (error) {
    throw new StoreError("store_unavailable", `cannot set up the checkpointer: ${errorMessage(error)}`, { cause: error });
  }
  let broken: Error | undefined;
  try {
    await client.query("SELECT pg_advisory_lock($1, hashtext($2))", [SETUP_LOCK, db.schema]);
    try {
      await saver.setup();
    } finally {
      // Releasing the client with an error closes its session, which frees the lock anyway.
      await client.query("SELECT pg_advisory_unlock($1, hashtext($2))", [SETUP_LOCK, db.schema]).catch((error: unknown) => {
        broken = error instanceof Error ? error : new Error(errorMessage(error));
      });
    }
  } catch (error) {
    throw new StoreError("store_migration_failed", `checkpointer set-up failed: ${errorMessage(error)}`, { cause: error });
  } finally {
    client.release(broken);
  }
}
