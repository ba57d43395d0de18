import { mkdir } from "node:fs/promises";
import { userInfo } from "node:os";
import { setFlagsFromString } from "node:v8";
import pg from "pg";
import { errorMessage, isAutopilotError } from "../../core/index.js";
import { StoreError } from "./errors.js";
import { startPgliteServer, type PgliteServer } from "./pglite-server.js";
import { claim, liveOwner } from "./pglite-lock.js";
import { createReadBatch } from "./read-batch.js";

export { StoreError } from "./errors.js";

// V8 starts allocating the objects of a site straight in the old generation ("pretenuring") when
// most of them outlive a young collection, which pg's per-query objects (Query, Result, their
// callbacks) do while the heap is still small at start-up. Pretenured, each one that dies keeps
// whatever young object it points to alive through every later young collection: measured on the
// policy gate's loop, a young collection then promotes about 600 KB and pauses 1.7-2 ms, against
// 90 KB and 0.8-0.9 ms without pretenuring. Every process that opens the store (the server, the
// CLI, the benchmark) loads this module first, so they all run with it.
setFlagsFromString("--no-allocation-site-pretenuring");

/** Where the store reports problems it survives (idle connections dropped, ...); pino fits. */
export interface StoreLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

/** How to open the database. */
export interface OpenDatabaseOptions {
  /** A PostgreSQL URL; without it an embedded PGlite is started on `dataDir`. */
  databaseUrl?: string;
  /** PGlite data directory (created if missing), or "memory://". */
  dataDir?: string;
  /** Schema every pooled connection uses (`search_path`). */
  schema?: string;
  poolMax?: number;
  /** Server-side statement timeout on PostgreSQL; on PGlite a client-side read timeout. */
  statementTimeoutMs?: number;
  /** How long to wait for a connection (new or from the pool). */
  connectionTimeoutMs?: number;
  logger?: StoreLogger;
}

/** How to run one statement. */
export interface QueryOptions {
  /**
   * Keep the statement prepared on each connection, so that PostgreSQL parses and plans it once
   * per connection instead of on every call: for constant texts run on every gate call. Ignored
   * on PGlite, whose connections share one backend and so one namespace of statement names.
   */
  prepared?: boolean;
}

/**
 * An open database. On PGlite every connection shares one backend and an open transaction holds
 * the whole database, so code inside `withTransaction` must only use the client it is given.
 */
export interface Database {
  readonly kind: "postgres" | "pglite";
  readonly pool: pg.Pool;
  /** Contains the password of a PostgreSQL URL: pass it to drivers, never to logs. */
  readonly connectionString: string;
  readonly schema: string;
  /** Runs one statement on a pooled connection. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<pg.QueryResult<R>>;
  /**
   * The value of one scalar subquery (a constant `SELECT` text of one column; null without a row).
   * The subqueries asked for in the same tick run as one prepared SELECT: reads that start
   * together take one round trip and see one snapshot.
   */
  select(subquery: string, params: readonly unknown[]): Promise<unknown>;
  /** Runs `fn` inside BEGIN .. COMMIT on one connection, rolling back when it throws. */
  withTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** Ends the pool and stops the embedded server, if any. */
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** How many statement texts a database keeps prepared on each PostgreSQL connection. */
const MAX_PREPARED = 64;
/** Grace beyond the statement timeout before the client gives up reading an answer. */
const READ_TIMEOUT_GRACE_MS = 5_000;

/** A database URL without its password, for messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable database URL)";
  }
}

/**
 * libpq connects as the OS user when a URL names none; pg falls back to $PGUSER and $USER only,
 * and sends no user at all when both are unset (containers, CI). Fill in the OS user then.
 */
function withDefaultUser(url: string): string {
  if (new pg.Client({ connectionString: url }).user) return url;
  try {
    const parsed = new URL(url);
    parsed.username = encodeURIComponent(userInfo().username);
    return parsed.toString();
  } catch {
    return url;
  }
}

/** A driver error as a StoreError naming what failed; errors of this project pass through. */
function toStoreError(code: string, what: string, error: unknown): Error {
  if (isAutopilotError(error)) return error;
  const sqlState = typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : undefined;
  return new StoreError(code, `${what}: ${errorMessage(error)}`, { details: sqlState ? { sqlState } : {}, cause: error });
}

/** Opens PostgreSQL (with a URL) or an embedded PGlite, and checks that it answers. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const { schema = "public", poolMax = 10, statementTimeoutMs = 30_000, connectionTimeoutMs = 10_000 } = options;
  const logger = options.logger ?? { warn: () => {} };
  if (!SCHEMA_NAME.test(schema)) throw new StoreError("store_config", `invalid schema name "${schema}": use lower-case letters, digits and _`);
  let server: PgliteServer | undefined;
  let lock: Awaited<ReturnType<typeof claim>> | undefined;
  let sharedFrom: number | undefined;
  let connectionString: string;
  if (options.databaseUrl) {
    // Checked here so that no driver error can echo the URL, password included.
    if (!URL.canParse(options.databaseUrl)) throw new StoreError("store_config", "databaseUrl is not a valid URL");
    connectionString = withDefaultUser(options.databaseUrl);
  } else if (options.dataDir === "memory://") {
    server = await startPgliteServer({ dataDir: options.dataDir, maxConnections: Math.max(32, poolMax + 4) });
    connectionString = server.url;
  } else if (options.dataDir) {
    await mkdir(options.dataDir, { recursive: true });
    // Another process (`npm start`) may already serve this directory: connect to it instead.
    const owner = await liveOwner(options.dataDir);
    if (owner) {
      connectionString = `postgres://postgres@127.0.0.1:${owner.port}/postgres`;
      sharedFrom = owner.pid;
    } else {
      lock = await claim(options.dataDir);
      try {
        server = await startPgliteServer({ dataDir: options.dataDir, maxConnections: Math.max(32, poolMax + 4) });
      } catch (error) {
        await lock.release();
        throw error;
      }
      await lock.serving(server.port);
      connectionString = server.url;
    }
  } else {
    throw new StoreError("store_config", "openDatabase needs a databaseUrl (PostgreSQL) or a dataDir (PGlite)");
  }
  const kind = server || sharedFrom ? "pglite" : "postgres";
  const where = server ? `PGlite at ${options.dataDir}` : sharedFrom ? `PGlite at ${options.dataDir} (served by process ${sharedFrom})` : `PostgreSQL at ${redactDatabaseUrl(connectionString)}`;

  // PGlite ignores the startup `options` parameter (checked: `-c search_path=x` leaves "public")
  // and does not enforce statement_timeout, so each new connection runs SET before the pool hands
  // it out. pg-pool's `onConnect` hook awaits it, and a failed SET fails the connect; a
  // pool.on("connect") listener would instead queue the SET beside the caller's first query
  // (deprecated in pg 8) and could not keep a misconfigured connection from being used.
  const setup = `SET search_path TO "${schema}"` + (kind === "postgres" ? `; SET statement_timeout = ${Math.floor(statementTimeoutMs)}` : "");
  const pool = new pg.Pool({
    connectionString,
    max: poolMax,
    connectionTimeoutMillis: connectionTimeoutMs,
    idleTimeoutMillis: 30_000,
    query_timeout: statementTimeoutMs + READ_TIMEOUT_GRACE_MS,
    onConnect: async (client) => {
      await client.query(setup);
    },
  });
  // An idle client losing its connection (server restart, network) must not crash the process.
  pool.on("error", (error) => logger.warn({ err: errorMessage(error) }, `store: idle connection to ${where} failed`));

  try {
    await pool.query("SELECT 1");
  } catch (error) {
    await pool.end().catch(() => {});
    await server?.stop().catch(() => {});
    await lock?.release().catch(() => {});
    throw new StoreError("store_unavailable", `cannot connect to ${where}: ${errorMessage(error)}`, { cause: error });
  }

  // Statement names by text: a name stays bound to one text on every connection. Bounded, so that
  // an unforeseen variety of texts leaves the rest unprepared rather than growing every connection.
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_PREPARED) names.set(text, (name = `autopilot_${names.size + 1}`));
    return name;
  };
  const query = async <R extends pg.QueryResultRow>(text: string, params: readonly unknown[] = [], options: QueryOptions = {}) => {
    try {
      const name = options.prepared && kind === "postgres" ? nameOf(text) : undefined;
      if (name) return await pool.query<R>({ name, text, values: params as unknown[] });
      return await pool.query<R>(text, params as unknown[]);
    } catch (error) {
      throw toStoreError("store_query_failed", "query failed", error);
    }
  };
  const select = createReadBatch((text, params) => query(text, params, { prepared: true }));

  let closing: Promise<void> | undefined;
  return {
    kind,
    pool,
    connectionString,
    schema,
    query,
    select,
    async withTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw new StoreError("store_unavailable", `cannot get a connection to ${where}: ${errorMessage(error)}`, { cause: error });
      }
      const onError = (error: Error) => logger.warn({ err: error.message }, "store: connection failed during a transaction");
      client.on("error", onError);
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const result = await fn(client);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(errorMessage(rollbackError));
        });
        throw toStoreError("store_transaction_failed", "transaction failed", error);
      } finally {
        client.off("error", onError);
        client.release(broken);
      }
    },
    close() {
      closing ??= (async () => {
        await pool.end();
        await server?.stop();
        await lock?.release();
      })();
      return closing;
    },
  };
}
