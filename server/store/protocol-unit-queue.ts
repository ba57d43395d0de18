import type { PGlite } from "@electric-sql/pglite";

/**
 * Why this exists: PGlite is one Postgres backend, and every socket connection shares it.
 * pglite-socket's own QueryQueueManager queues single protocol messages, so the Parse, Bind,
 * Execute and Sync of two connections using the extended protocol interleave on the backend and
 * fail with "unnamed prepared statement does not exist" or "portal does not exist".
 *
 * This queue hands the backend to one connection (handler) for a whole protocol unit: it keeps
 * running that handler's messages until one completes a unit (Sync, a simple Query, Terminate or a
 * startup message) while no transaction is open. A connection inside BEGIN .. COMMIT therefore
 * holds the whole database until it commits or rolls back, which is what makes transactions
 * isolated on a single backend.
 */

/** A message type byte that completes a protocol unit: Sync, Query, Terminate, startup (0). */
const SYNC = 0x53;
const QUERY = 0x51;
const TERMINATE = 0x58;
const STARTUP = 0x00;

type Pending =
  | {
      kind: "message";
      handlerId: number;
      message: Uint8Array;
      onData: (data: Uint8Array) => void;
      resolve: (bytes: number) => void;
      reject: (error: unknown) => void;
    }
  | { kind: "release"; handlerId: number; resolve: (bytes: number) => void; reject: (error: unknown) => void };

/** A simple-protocol Query message. */
function queryMessage(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, "utf8");
  const out = Buffer.alloc(5 + text.length);
  out[0] = QUERY;
  out.writeInt32BE(4 + text.length, 1);
  text.copy(out, 5);
  return out;
}

const ROLLBACK = queryMessage("ROLLBACK");
const SYNC_MESSAGE = Uint8Array.of(SYNC, 0, 0, 0, 4);

/** Serialises the wire-protocol messages of many connections onto one PGlite backend, a protocol unit at a time. */
export class ProtocolUnitQueue {
  private pending: Pending[] = [];
  /** The handler that holds the backend between messages of an unfinished unit or transaction. */
  private owner: number | null = null;
  /** The handler whose message is executing right now. */
  private current: number | null = null;
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly db: PGlite) {}

  /** Queues one message of a handler; resolves with the number of bytes the backend answered. */
  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    // Terminate is never forwarded: the backend is shared and must outlive any one client. The
    // socket closes next, and detaching the handler rolls back whatever it left open.
    if (message[0] === TERMINATE) return Promise.resolve(0);
    return new Promise((resolve, reject) => {
      this.pending.push({ kind: "message", handlerId, message, onData, resolve, reject });
      void this.pump();
    });
  }

  /** Messages waiting for the backend. */
  getQueueLength(): number {
    return this.pending.length;
  }

  /** Drops the queued messages of a disconnected handler. */
  clearQueueForHandler(handlerId: number): void {
    this.pending = this.pending.filter((p) => {
      if (p.handlerId !== handlerId || p.kind !== "message") return true;
      p.reject(new Error(`connection ${handlerId} closed before its message ran`));
      return false;
    });
  }

  /**
   * Releases the backend if a disconnected handler holds it: rolls back its open transaction and
   * ends any half-sent extended-protocol unit, so the next connection finds a clean session.
   */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId && this.current !== handlerId) return;
    await new Promise<number>((resolve, reject) => {
      this.pending.unshift({ kind: "release", handlerId, resolve, reject });
      void this.pump();
    });
  }

  /** Resolves once no message is executing or waiting. */
  idle(): Promise<void> {
    if (!this.running && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** The next runnable item: the owner's first, or anyone's first when the backend is free. */
  private takeNext(): Pending | undefined {
    const index = this.owner === null ? 0 : this.pending.findIndex((p) => p.handlerId === this.owner);
    if (index < 0 || index >= this.pending.length) return undefined;
    return this.pending.splice(index, 1)[0];
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let item = this.takeNext(); item; item = this.takeNext()) {
        this.current = item.handlerId;
        try {
          const bytes = item.kind === "message" ? await this.run(item.message, item.onData) : await this.release(item.handlerId);
          this.updateOwner(item);
          item.resolve(bytes);
        } catch (error) {
          item.reject(error);
        } finally {
          this.current = null;
        }
      }
    } finally {
      this.running = false;
      if (this.pending.length === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private updateOwner(item: Pending): void {
    if (item.kind === "release" || this.db.closed) {
      if (item.kind === "release" || this.owner === item.handlerId) this.owner = null;
      return;
    }
    const type = item.message[0];
    const unitEnds = type === SYNC || type === QUERY || type === STARTUP;
    this.owner = unitEnds && !this.db.isInTransaction() ? null : item.handlerId;
  }

  private async run(message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    let bytes = 0;
    await this.db.runExclusive(() =>
      this.db.execProtocolRawStream(message, {
        onRawData: (data) => {
          bytes += data.length;
          onData(data);
        },
      }),
    );
    return bytes;
  }

  /**
   * ROLLBACK first (it aborts an explicit or an implicit extended-protocol transaction without
   * committing it), then Sync (it ends an extended unit, including one skipping messages after an
   * error), then ROLLBACK again if a failed transaction block is still open.
   */
  private async release(handlerId: number): Promise<number> {
    if (this.owner !== handlerId || this.db.closed) return 0;
    const discard = () => {};
    await this.run(ROLLBACK, discard);
    await this.run(SYNC_MESSAGE, discard);
    if (!this.db.closed && this.db.isInTransaction()) await this.run(ROLLBACK, discard);
    return 0;
  }
}
