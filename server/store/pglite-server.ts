import { createServer, type Server, type Socket } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from "@electric-sql/pglite-socket";
import { errorMessage } from "../../core/index.js";
import { StoreError } from "./errors.js";
import { ProtocolUnitQueue } from "./protocol-unit-queue.js";

/** Options of an embedded PGlite served on a loopback port. */
export interface PgliteServerOptions {
  /** Directory of the database files, or "memory://" for an in-memory database. */
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Connections beyond this are refused with SQLSTATE 53300. */
  maxConnections?: number;
}

/** A running PGlite wire-protocol server. */
export interface PgliteServer {
  /** A `postgres://` URL `pg` can connect to (PGlite has no password). */
  url: string;
  port: number;
  /** The database itself; while clients are connected, use it only through the wire. */
  db: PGlite;
  /** Closes every connection (rolling back their transactions), the listener and the database. */
  stop(): Promise<void>;
}

/** An ErrorResponse message, so a refused client reads a proper Postgres error. */
function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`, "utf8");
  const out = Buffer.alloc(5 + fields.length);
  out.write("E", 0, "latin1");
  out.writeInt32BE(4 + fields.length, 1);
  fields.copy(out, 5);
  return out;
}

/**
 * Serves a PGlite database over the Postgres wire protocol so `pg.Pool` (and the LangGraph
 * checkpointer) can use it like PostgreSQL. All connections share one backend session: session
 * settings are global, and an open transaction holds the database until it ends.
 */
export async function startPgliteServer(options: PgliteServerOptions): Promise<PgliteServer> {
  const { dataDir, host = "127.0.0.1", port = 0, maxConnections = 32 } = options;
  let db: PGlite;
  try {
    db = await PGlite.create(dataDir);
  } catch (error) {
    throw new StoreError("store_unavailable", `cannot open PGlite data directory ${dataDir}: ${errorMessage(error)}`, { cause: error });
  }
  const queue = new ProtocolUnitQueue(db);
  // The handler is typed against pglite-socket's own queue class; ours has the same methods.
  const queryQueue = queue as unknown as PGLiteSocketHandlerOptions["queryQueue"];
  const handlers = new Set<PGLiteSocketHandler>();
  const sockets = new Set<Socket>();

  const onConnection = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    // A reset by the peer arrives here too; the handler cleans up on close.
    socket.on("error", () => {});
    if (handlers.size >= maxConnections) {
      // Not every client closes after a startup error; do not wait for it to.
      socket.end(errorResponse("53300", `too many connections to PGlite (max ${maxConnections})`), () => socket.destroy());
      return;
    }
    const handler = new PGLiteSocketHandler({ queryQueue, closeOnDetach: true });
    handlers.add(handler);
    const forget = () => handlers.delete(handler);
    handler.addEventListener("close", forget);
    handler.addEventListener("error", forget);
    handler.attach(socket).catch(() => {
      forget();
      socket.destroy();
    });
  };

  const server: Server = createServer(onConnection);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await db.close();
    throw new StoreError("store_unavailable", `cannot listen on ${host}:${port} for PGlite: ${errorMessage(error)}`, { cause: error });
  }
  // A listening server's later errors (none expected on loopback) must not crash the process.
  server.on("error", () => {});
  const address = server.address();
  const boundPort = typeof address === "object" && address !== null ? address.port : port;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...handlers].map((h) => h.detach(true)));
      handlers.clear();
      for (const socket of sockets) socket.destroy();
      await queue.idle();
      await closed;
      await db.close();
    })();
    return stopping;
  };

  return { url: `postgres://postgres@${host}:${boundPort}/postgres`, port: boundPort, db, stop };
}
