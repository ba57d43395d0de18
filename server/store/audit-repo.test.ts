import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { canonicalJson } from "../../core/index.js";
import fc from "fast-check";
import { auditEntryHash, auditEntryHashEncoded, createAuditRepo, GENESIS_HASH, type AuditEntry, type AuditRepo } from "./audit-repo.js";
import type { Database } from "./db.js";
import { openTestDatabase } from "./testing.js";

const T0 = new Date("2025-03-01T10:00:00.000Z");

function entry(i: number, cycleId: string | null = "si_2025_03_01_001"): AuditEntry {
  return {
    at: new Date(T0.getTime() + i * 1000),
    cycleId,
    kind: "policy_decision",
    actor: { type: "agent", id: "devops" },
    tool: "argocd_sync_application",
    decision: "allow",
    data: { i, input: { app: "search", revision: `r${i}` }, reasons: ["policy staging-sync"] },
  };
}

describe("audit repo", () => {
  let db: Database;
  let audit: AuditRepo;
  beforeAll(async () => {
    db = await openTestDatabase();
    audit = createAuditRepo(db);
  });
  afterAll(() => db.close());

  /** Runs SQL with the append-only guard switched off for this transaction only. */
  const tamper = (...statements: string[]) =>
    db.withTransaction(async (c) => {
      await c.query("SELECT set_config('autopilot.audit_maintenance', 'on', true)");
      for (const sql of statements) await c.query(sql);
    });

  beforeEach(async () => {
    await tamper("TRUNCATE audit_log", `UPDATE audit_head SET seq = 0, hash = '${GENESIS_HASH}'`);
  });

  async function appendFive() {
    for (let i = 1; i <= 5; i++) await audit.append(entry(i));
  }

  it("chains 50 concurrent appends without gaps and verifies them", async () => {
    const heads = await Promise.all(Array.from({ length: 50 }, (_, i) => audit.append(entry(i, i % 2 ? "si_2025_03_01_001" : null))));
    expect(heads.map((h) => h.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const head = await audit.head();
    expect(head).toEqual(heads.find((h) => h.seq === 50));
    expect(await audit.verify()).toEqual({ ok: true, rows: 50, head });

    const rows = await audit.list({ limit: 100 });
    expect(rows[0]?.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]?.prevHash).toBe(rows[i - 1]?.hash);
  });

  it("chains the appends of two writers that each remember the head (two replicas) without a gap or a fork", async () => {
    const other = createAuditRepo(db);
    const writes: Array<Promise<{ seq: number }>> = [];
    for (let i = 0; i < 40; i++) {
      writes.push(audit.append(entry(i)));
      writes.push(other.append(entry(100 + i)));
      // Sequential runs too, so each writer's remembered head goes stale while the other writes.
      if (i % 10 === 9) await Promise.all(writes);
    }
    const seqs = (await Promise.all(writes)).map((h) => h.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    for (let i = 0; i < 3; i++) await other.append(entry(200 + i));
    await audit.append(entry(300));
    const head = await audit.head();
    expect(head.seq).toBe(84);
    expect(await audit.verify()).toEqual({ ok: true, rows: 84, head });
  });

  it("hashes the canonical JSON of the entry and its predecessor's hash", async () => {
    const e = entry(1);
    const { seq, hash } = await audit.append(e);
    const expected = auditEntryHash({
      seq: 1,
      prev_hash: GENESIS_HASH,
      at: "2025-03-01T10:00:01.000Z",
      cycle_id: "si_2025_03_01_001",
      kind: "policy_decision",
      actor_type: "agent",
      actor_id: "devops",
      tool: "argocd_sync_application",
      decision: "allow",
      data: e.data,
    });
    expect({ seq, hash }).toEqual({ seq: 1, hash: expected });
  });

  it("stores data as it reads back, so odd values still verify", async () => {
    await audit.append({ ...entry(1), tool: undefined, decision: undefined, data: { when: new Date(T0), skip: undefined, n: 1.5, big: 1e21, nested: { b: 1, a: [true, null] } } });
    const [row] = await audit.list({ limit: 1 });
    expect(row).toMatchObject({ tool: null, decision: null, data: { when: "2025-03-01T10:00:00.000Z", n: 1.5, big: 1e21, nested: { a: [true, null], b: 1 } } });
    expect(await audit.verify()).toMatchObject({ ok: true, rows: 1 });
  });

  it("lists by cycle and after a seq", async () => {
    for (let i = 1; i <= 6; i++) await audit.append(entry(i, i % 2 ? "si_a" : "si_b"));
    expect((await audit.list({ cycleId: "si_b", limit: 10 })).map((r) => r.seq)).toEqual([2, 4, 6]);
    expect((await audit.list({ afterSeq: 3, limit: 2 })).map((r) => r.seq)).toEqual([4, 5]);
    const [first] = await audit.list({ limit: 1 });
    expect(first).toMatchObject({ seq: 1, at: new Date(T0.getTime() + 1000), atIso: "2025-03-01T10:00:01.000Z", actor: { type: "agent", id: "devops" } });
  });

  it("refuses UPDATE, DELETE and TRUNCATE outside maintenance", async () => {
    await appendFive();
    await expect(db.query("UPDATE audit_log SET kind = 'x' WHERE seq = 1")).rejects.toThrow(/audit_log is append-only: UPDATE is not allowed/);
    await expect(db.query("DELETE FROM audit_log WHERE seq = 1")).rejects.toThrow(/append-only: DELETE/);
    await expect(db.query("TRUNCATE audit_log")).rejects.toThrow(/append-only: TRUNCATE/);
    expect(await audit.verify()).toMatchObject({ ok: true, rows: 5 });
  });

  it("detects an edited entry at its seq", async () => {
    await appendFive();
    await tamper(`UPDATE audit_log SET data = jsonb_set(data, '{input,revision}', '"evil"') WHERE seq = 3`);
    expect(await audit.verify()).toEqual({ ok: false, firstBrokenSeq: 3, reason: "entry 3 does not match its hash (edited)" });
  });

  it("detects an edited entry whose hash was recomputed at the next link", async () => {
    await appendFive();
    await tamper(`UPDATE audit_log SET decision = 'deny', hash = repeat('a', 64) WHERE seq = 2`);
    const row = (await audit.list({ afterSeq: 1, limit: 1 }))[0];
    if (!row) throw new Error("seq 2 missing");
    const rehashed = auditEntryHash({ seq: 2, prev_hash: row.prevHash, at: row.atIso, cycle_id: row.cycleId, kind: row.kind, actor_type: row.actor.type, actor_id: row.actor.id, tool: row.tool, decision: row.decision, data: row.data });
    await tamper(`UPDATE audit_log SET hash = '${rehashed}' WHERE seq = 2`);
    expect(await audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: 3, reason: "entry 3 does not link to the hash of entry 2" });
  });

  it("detects a deleted entry, and a deleted last entry", async () => {
    await appendFive();
    await tamper("DELETE FROM audit_log WHERE seq = 3");
    expect(await audit.verify()).toEqual({ ok: false, firstBrokenSeq: 3, reason: "entry 3 is missing (next entry is 4)" });
    await tamper("DELETE FROM audit_log WHERE seq > 2");
    expect(await audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: 3, reason: "entries 3..5 are missing (the head is at 5)" });
  });

  describe("appendIfState (the gate's guarded decision row)", () => {
    const version = async () => Number((await db.query("SELECT version FROM gate_state WHERE id = 1")).rows[0]!.version);
    const bump = () => db.query("UPDATE feature_flags SET enabled = enabled WHERE flag_name = 'kill_switch' AND environment = 'dev'");

    it("writes while the gate state is at the version given, and writes nothing once it moved", async () => {
      await appendFive();
      const at = await version();
      const written = await audit.appendIfState(entry(6), at);
      expect(written?.seq).toBe(6);
      await bump();
      expect(await audit.appendIfState(entry(7), at)).toBeNull();
      expect((await audit.head()).seq).toBe(6);
      // The refused append leaves the remembered head right: the next append follows entry 6.
      expect((await audit.appendIfState(entry(7), await version()))?.seq).toBe(7);
      expect(await audit.verify()).toMatchObject({ ok: true, rows: 7 });
    });

    it("checks the version under the head's lock too, when another writer (a replica) moved the head", async () => {
      const other = createAuditRepo(db);
      await audit.append(entry(1));
      await other.append(entry(2));
      const at = await version();
      await bump();
      expect(await audit.appendIfState(entry(3), at)).toBeNull();
      await other.append(entry(3));
      expect((await audit.appendIfState(entry(4), await version()))?.seq).toBe(4);
      expect(await audit.verify()).toMatchObject({ ok: true, rows: 4 });
    });
  });

  it("detects reordered entries", async () => {
    await appendFive();
    await tamper("UPDATE audit_log SET seq = -1 WHERE seq = 2", "UPDATE audit_log SET seq = 2 WHERE seq = 4", "UPDATE audit_log SET seq = 4 WHERE seq = -1");
    expect(await audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: 2, reason: expect.stringMatching(/^entry 2 /) });
  });
});

describe("auditEntryHashEncoded", () => {
  it("hashes the same bytes as auditEntryHash, for any fields and data", () => {
    const text = fc.string();
    const nullable = fc.option(text, { nil: null });
    const fields = fc.record({
      seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      prev_hash: text,
      at: text,
      cycle_id: nullable,
      kind: text,
      actor_type: text,
      actor_id: text,
      tool: nullable,
      decision: nullable,
    });
    fc.assert(
      fc.property(fields, fc.jsonValue(), (f, data) => {
        const canonical = canonicalJson(data);
        expect(auditEntryHashEncoded(f, canonical)).toBe(auditEntryHash({ ...f, data: JSON.parse(canonical) }));
      }),
      { numRuns: 500 },
    );
  });
});
