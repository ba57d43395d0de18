import { hash } from "node:crypto";
import type pg from "pg";
import { canonicalJson, errorMessage, sha256Hex } from "../../core/index.js";
import { StoreError } from "./errors.js";
import type { AuditEntry } from "../../policies/index.js";
import type { Database } from "./db.js";
import { toNumber } from "./rows.js";

/** The prev_hash of the first entry, and the hash of the empty chain. */
export const GENESIS_HASH = "0".repeat(64);

/** An event to record (a policy decision, a tool result, an operator action): the policy gate's port. */
export type { AuditEntry };

/** A recorded entry with its place in the hash chain. */
export interface AuditRow {
  seq: number;
  at: Date;
  /** `at` exactly as hashed. */
  atIso: string;
  cycleId: string | null;
  kind: string;
  actor: { type: string; id: string };
  tool: string | null;
  decision: string | null;
  data: unknown;
  prevHash: string;
  hash: string;
}

/** The tip of the chain. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** What verify() found. */
export type AuditVerification =
  | { ok: true; rows: number; head: AuditHead }
  | { ok: false; firstBrokenSeq: number; reason: string };

/** The append-only, hash-chained audit log. */
export interface AuditRepo {
  /** Appends one entry after the current head; concurrent appends, of this process or others, are serialised. */
  append(entry: AuditEntry): Promise<AuditHead>;
  /**
   * Appends one entry, as append does, only if the gate state (migration 008) is still at
   * `stateVersion`; null, with nothing written, when it has moved. The check and the write are
   * one statement, so nothing the gate decides on can change between them.
   */
  appendIfState(entry: AuditEntry, stateVersion: number): Promise<AuditHead | null>;
  /** Entries in seq order, optionally of one cycle and after a seq. */
  list(input: { cycleId?: string; afterSeq?: number; limit: number }): Promise<AuditRow[]>;
  head(): Promise<AuditHead>;
  /** Recomputes every hash and link from the first entry to the head. */
  verify(): Promise<AuditVerification>;
}

interface HashedFields {
  seq: number;
  prev_hash: string;
  at: string;
  cycle_id: string | null;
  kind: string;
  actor_type: string;
  actor_id: string;
  tool: string | null;
  decision: string | null;
  data: unknown;
}

/** The hash of one entry: SHA-256 of the canonical JSON of its fields and its predecessor's hash. */
export function auditEntryHash(fields: HashedFields): string {
  return sha256Hex(canonicalJson(fields));
}

/**
 * auditEntryHash for an entry whose data is already canonical JSON: the same bytes, spelled out in
 * the fields' key order, so an append does not encode the data a second time. Hashed in one shot:
 * a Hash object's native half costs every young-generation collection a weak handle to trace.
 */
export function auditEntryHashEncoded(fields: Omit<HashedFields, "data">, dataJson: string): string {
  const str = (value: string | null) => JSON.stringify(value);
  return hash(
    "sha256",
    `{"actor_id":${str(fields.actor_id)},"actor_type":${str(fields.actor_type)},"at":${str(fields.at)},"cycle_id":${str(fields.cycle_id)},` +
      `"data":${dataJson},"decision":${str(fields.decision)},"kind":${str(fields.kind)},"prev_hash":${str(fields.prev_hash)},"seq":${JSON.stringify(fields.seq)},"tool":${str(fields.tool)}}`,
    "hex",
  );
}

function toAuditRow(r: Record<string, unknown>): AuditRow {
  return {
    seq: toNumber(r.seq),
    at: new Date(r.at as Date),
    atIso: r.at_iso as string,
    cycleId: (r.cycle_id as string | null) ?? null,
    kind: r.kind as string,
    actor: { type: r.actor_type as string, id: r.actor_id as string },
    tool: (r.tool as string | null) ?? null,
    decision: (r.decision as string | null) ?? null,
    data: r.data,
    prevHash: r.prev_hash as string,
    hash: r.hash as string,
  };
}

function fieldsOf(row: AuditRow): HashedFields {
  return {
    seq: row.seq,
    prev_hash: row.prevHash,
    at: row.atIso,
    cycle_id: row.cycleId,
    kind: row.kind,
    actor_type: row.actor.type,
    actor_id: row.actor.id,
    tool: row.tool,
    decision: row.decision,
    data: row.data,
  };
}

const VERIFY_PAGE = 1000;

/** The audit repository. */
export function createAuditRepo(db: Database): AuditRepo {
  const head = async (): Promise<AuditHead> => {
    const r = await db.query("SELECT seq, hash FROM audit_head WHERE id = 1");
    return { seq: toNumber(r.rows[0]?.seq), hash: r.rows[0]?.hash as string };
  };

  // The head this process last wrote or read. An append first tries it in one autocommitted
  // statement that writes the entry and moves the head only if the head is still that one: one
  // round trip, the common case. When another process (a replica, the CLI) moved the head
  // meanwhile, the statement writes nothing, and the append takes the head's lock instead.
  // Appends of this process are queued, so they never race each other for the head.
  let known: AuditHead | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  /** The hashed fields of `entry` after `tip`, but its data, which is hashed as canonical JSON. */
  const fieldsFor = (entry: AuditEntry, tip: AuditHead): Omit<HashedFields, "data"> => ({
    seq: tip.seq + 1,
    prev_hash: tip.hash,
    at: entry.at.toISOString(),
    cycle_id: entry.cycleId,
    kind: entry.kind,
    actor_type: entry.actor.type,
    actor_id: entry.actor.id,
    tool: entry.tool ?? null,
    decision: entry.decision ?? null,
  });
  // `at` is sent once, as the ISO instant that is hashed; PostgreSQL reads it as the same timestamptz.
  const values = (fields: Omit<HashedFields, "data">, hash: string, dataJson: string) => [
    fields.seq, fields.at, fields.cycle_id, fields.kind, fields.actor_type, fields.actor_id, fields.tool, fields.decision, dataJson, fields.prev_hash, hash,
  ];

  /**
   * One statement: the entry and the head's move, only if the head is still `tip` (and, with a
   * `stateVersion`, the gate state still at it). "moved" when the head moved; "stale" when the
   * gate state did.
   */
  async function appendAfter(entry: AuditEntry, dataJson: string, tip: AuditHead, stateVersion: number | null): Promise<AuditHead | "moved" | "stale"> {
    const fields = fieldsFor(entry, tip);
    const hash = auditEntryHashEncoded(fields, dataJson);
    let r: pg.QueryResult;
    try {
      r = await db.query(
        `WITH state AS (SELECT version FROM gate_state WHERE id = 1),
         moved AS (
           UPDATE audit_head SET seq = $1, hash = $11
           WHERE id = 1 AND seq = $1::bigint - 1 AND hash = $10 AND ($12::bigint IS NULL OR (SELECT version FROM state) = $12::bigint) RETURNING seq),
         entry AS (
           INSERT INTO audit_log (seq, at, at_iso, cycle_id, kind, actor_type, actor_id, tool, decision, data, prev_hash, hash)
           SELECT $1::bigint, $2::text::timestamptz, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::jsonb, $10::text, $11::text FROM moved
           RETURNING seq)
         SELECT (SELECT count(*) FROM entry)::int AS written, (SELECT version FROM state) AS version`,
        [...values(fields, hash, dataJson), stateVersion],
        { prepared: true },
      );
    } catch (error) {
      throw new StoreError("store_transaction_failed", `cannot append to the audit trail: ${errorMessage(error)}`, { cause: error });
    }
    const row = r.rows[0] as { written: number; version: unknown } | undefined;
    if (row?.written === 1) return { seq: fields.seq, hash };
    if (stateVersion === null) return "moved";
    const current = row?.version == null ? null : toNumber(row.version);
    return current === stateVersion ? "moved" : "stale";
  }

  /**
   * Three round trips: open the transaction and lock the head, write the entry and move the head,
   * commit. "stale", with nothing written, when a `stateVersion` is given and the gate state is
   * no longer at it once the head is locked.
   */
  async function appendLocked(entry: AuditEntry, dataJson: string, stateVersion: number | null): Promise<AuditHead | "stale"> {
    let client: pg.PoolClient;
    try {
      client = await db.pool.connect();
    } catch (error) {
      throw new StoreError("store_unavailable", `cannot get a connection for the audit trail: ${errorMessage(error)}`, { cause: error });
    }
    let broken: Error | undefined;
    try {
      const opened = (await client.query(
        "BEGIN; SELECT seq, hash, (SELECT version FROM gate_state WHERE id = 1) AS state_version FROM audit_head WHERE id = 1 FOR UPDATE OF audit_head",
      )) as unknown as pg.QueryResult[];
      const h = opened[opened.length - 1]!;
      if (stateVersion !== null && (h.rows[0]?.state_version == null || toNumber(h.rows[0].state_version) !== stateVersion)) {
        await client.query("ROLLBACK");
        return "stale";
      }
      const fields = fieldsFor(entry, { seq: toNumber(h.rows[0]?.seq), hash: h.rows[0]?.hash as string });
      const hash = auditEntryHashEncoded(fields, dataJson);
      await client.query(
        `WITH entry AS (
           INSERT INTO audit_log (seq, at, at_iso, cycle_id, kind, actor_type, actor_id, tool, decision, data, prev_hash, hash)
           VALUES ($1, $2::text::timestamptz, $2::text, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11) RETURNING seq, hash)
         UPDATE audit_head SET seq = entry.seq, hash = entry.hash FROM entry WHERE audit_head.id = 1`,
        values(fields, hash, dataJson),
      );
      await client.query("COMMIT");
      return { seq: fields.seq, hash };
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(errorMessage(rollbackError));
      });
      throw new StoreError("store_transaction_failed", `cannot append to the audit trail: ${errorMessage(error)}`, { cause: error });
    } finally {
      client.release(broken);
    }
  }

  /** Appends `entry`; with a `stateVersion`, only while the gate state is at it (null otherwise). */
  async function appendOne(entry: AuditEntry, stateVersion: number | null): Promise<AuditHead | null> {
    // The data is stored as jsonb and hashed as canonical JSON (undefined members dropped, dates
    // as strings). Canonical JSON reads back from jsonb to the same bytes, so verify() recomputes
    // this hash from the stored row without the append decoding it again.
    const dataJson = canonicalJson(entry.data ?? null);
    try {
      let written = known ? await appendAfter(entry, dataJson, known, stateVersion) : "moved";
      if (written === "moved") written = await appendLocked(entry, dataJson, stateVersion);
      if (written === "stale") return null;
      known = written;
      return known;
    } catch (error) {
      known = null;
      throw error;
    }
  }

  const queued = <T>(work: () => Promise<T>): Promise<T> => {
    const done = queue.then(work);
    queue = done.catch(() => undefined);
    return done;
  };

  return {
    append: (entry) => queued(async () => (await appendOne(entry, null))!),
    appendIfState: (entry, stateVersion) => queued(() => appendOne(entry, stateVersion)),

    async list({ cycleId, afterSeq = 0, limit }) {
      const r = await db.query(
        "SELECT * FROM audit_log WHERE ($1::text IS NULL OR cycle_id = $1) AND seq > $2 ORDER BY seq LIMIT $3",
        [cycleId ?? null, afterSeq, limit],
      );
      return r.rows.map(toAuditRow);
    },

    head,

    async verify() {
      const tip = await head();
      let expected = 1;
      let prevHash = GENESIS_HASH;
      for (;;) {
        const page = await db.query("SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2", [expected, VERIFY_PAGE]);
        for (const raw of page.rows) {
          const row = toAuditRow(raw);
          if (row.seq !== expected) return { ok: false, firstBrokenSeq: expected, reason: `entry ${expected} is missing (next entry is ${row.seq})` };
          if (row.prevHash !== prevHash) return { ok: false, firstBrokenSeq: row.seq, reason: `entry ${row.seq} does not link to the hash of entry ${row.seq - 1}` };
          if (auditEntryHash(fieldsOf(row)) !== row.hash) return { ok: false, firstBrokenSeq: row.seq, reason: `entry ${row.seq} does not match its hash (edited)` };
          prevHash = row.hash;
          expected += 1;
        }
        if (page.rows.length < VERIFY_PAGE) break;
      }
      const last = expected - 1;
      if (last < tip.seq) return { ok: false, firstBrokenSeq: last + 1, reason: `entries ${last + 1}..${tip.seq} are missing (the head is at ${tip.seq})` };
      if (last > tip.seq) return { ok: false, firstBrokenSeq: tip.seq + 1, reason: `entries ${tip.seq + 1}..${last} lie beyond the head (${tip.seq})` };
      if (prevHash !== tip.hash) return { ok: false, firstBrokenSeq: tip.seq, reason: `the head hash does not match entry ${tip.seq}` };
      return { ok: true, rows: last, head: tip };
    },
  };
}
