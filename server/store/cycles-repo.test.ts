import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCyclesRepo, type CyclesRepo } from "./cycles-repo.js";
import type { Database } from "./db.js";
import { openTestDatabase } from "./testing.js";

const T0 = new Date("2025-03-01T10:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const manual = (now: Date, service = "search") => ({ environment: "production", service, signal: "ndcg_drop", trigger: { manual: true, by: "ops" }, now });

describe("cycles repo", () => {
  let db: Database;
  let cycles: CyclesRepo;
  beforeAll(async () => {
    db = await openTestDatabase();
    cycles = createCyclesRepo(db);
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await db.query("TRUNCATE alerts, cycles, cycle_counters");
  });

  it("numbers cycles per UTC day", async () => {
    const ids = [];
    for (const now of [T0, at(1000), new Date("2025-03-01T23:59:59.999Z"), new Date("2025-03-02T00:00:00.000Z"), at(2000)]) {
      ids.push((await cycles.create(manual(now))).id);
    }
    expect(ids).toEqual(["si_2025_03_01_001", "si_2025_03_01_002", "si_2025_03_01_003", "si_2025_03_02_001", "si_2025_03_01_004"]);
  });

  it("never repeats a cycle number under concurrent creation", async () => {
    const created = await Promise.all(Array.from({ length: 12 }, () => cycles.create(manual(T0))));
    const ids = created.map((c) => c.id).sort();
    expect(ids).toEqual(Array.from({ length: 12 }, (_, i) => `si_2025_03_01_${String(i + 1).padStart(3, "0")}`));
    expect(created[0]).toMatchObject({ status: "queued", attempts: 0, trigger: { manual: true, by: "ops" }, alertCount: 0 });
  });

  it("never gives one cycle to two concurrent claimers", async () => {
    for (let i = 0; i < 6; i++) await cycles.create(manual(at(i)));
    const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => cycles.claimNext({ owner: `runner-${i}`, leaseMs: 60_000, now: at(10_000) })));
    const taken = claims.filter((c) => c !== null);
    expect(taken).toHaveLength(6);
    expect(new Set(taken.map((c) => c.id)).size).toBe(6);
    for (const c of taken) {
      expect(c).toMatchObject({ status: "running", attempts: 1, startedAt: at(10_000), leaseExpiresAt: at(70_000) });
      expect(c.leaseOwner).toMatch(/^runner-\d+$/);
    }
    const stored = await cycles.list({ status: "running" });
    expect(new Map(stored.map((c) => [c.id, c.leaseOwner]))).toEqual(new Map(taken.map((c) => [c.id, c.leaseOwner])));
  });

  it("claims the oldest queued cycle first", async () => {
    await cycles.create(manual(at(0)));
    await cycles.create(manual(at(5)));
    expect((await cycles.claimNext({ owner: "a", leaseMs: 1000, now: at(10) }))?.id).toBe("si_2025_03_01_001");
    expect((await cycles.claimNext({ owner: "a", leaseMs: 1000, now: at(10) }))?.id).toBe("si_2025_03_01_002");
  });

  it("re-claims a running cycle whose lease expired, and fences out the old owner", async () => {
    const { id } = await cycles.create(manual(T0));
    await cycles.claimNext({ owner: "old", leaseMs: 1000, now: at(0) });
    expect(await cycles.heartbeat(id, "old", 1000, at(500))).toBe(true);
    expect(await cycles.claimNext({ owner: "new", leaseMs: 1000, now: at(1400) })).toBeNull();

    const again = await cycles.claimNext({ owner: "new", leaseMs: 1000, now: at(1600) });
    expect(again).toMatchObject({ id, leaseOwner: "new", attempts: 2, startedAt: at(0), leaseExpiresAt: at(2600) });
    expect(await cycles.heartbeat(id, "old", 1000, at(1700))).toBe(false);
    expect(await cycles.heartbeat(id, "new", 1000, at(1700))).toBe(true);
    await expect(cycles.complete(id, "old", { outcome: "promoted", report: {}, now: at(1800) })).rejects.toMatchObject({
      code: "store_lease_lost",
      message: `cannot complete cycle ${id}: it is running (lease held by new)`,
    });
  });

  it("parks a cycle for approval and queues it again with the resume payload", async () => {
    const { id } = await cycles.create(manual(T0));
    await cycles.claimNext({ owner: "r1", leaseMs: 60_000, now: at(0) });
    const parked = await cycles.awaitApproval(id, "r1", "ap_123", at(100));
    expect(parked).toMatchObject({ status: "awaiting_approval", pendingApprovalId: "ap_123", leaseOwner: null, leaseExpiresAt: null });
    expect(await cycles.claimNext({ owner: "r2", leaseMs: 60_000, now: at(200) })).toBeNull();
    expect(await cycles.activeForService("search", "production")).toHaveLength(1);

    const resume = { approvalId: "ap_123", decision: "approved", steps: [1, 2] };
    const queued = await cycles.queueResume(id, resume, at(300));
    expect(queued).toMatchObject({ status: "queued", resume, pendingApprovalId: null });
    await expect(cycles.queueResume(id, resume, at(310))).rejects.toMatchObject({
      code: "store_conflict",
      message: `cannot resume cycle ${id}: it is queued`,
    });
    const claimed = await cycles.claimNext({ owner: "r2", leaseMs: 60_000, now: at(400) });
    expect(claimed).toMatchObject({ id, resume, attempts: 2, leaseOwner: "r2", startedAt: at(0) });
  });

  it("completes and fails cycles under their lease", async () => {
    const a = await cycles.create(manual(T0));
    const b = await cycles.create(manual(at(1), "etl"));
    await cycles.claimNext({ owner: "r", leaseMs: 60_000, now: at(10) });
    await cycles.claimNext({ owner: "r", leaseMs: 60_000, now: at(10) });
    const done = await cycles.complete(a.id, "r", { outcome: "promoted", report: { phases: ["monitor", "promote"] }, now: at(20) });
    expect(done).toMatchObject({ status: "completed", outcome: "promoted", report: { phases: ["monitor", "promote"] }, finishedAt: at(20), leaseOwner: null });
    const failed = await cycles.fail(b.id, "r", { error: "h2o_train_model timed out", now: at(30) });
    expect(failed).toMatchObject({ status: "failed", error: "h2o_train_model timed out", finishedAt: at(30) });
    await expect(cycles.fail("si_2099_01_01_001", "r", { error: "x", now: at(40) })).rejects.toMatchObject({ code: "store_not_found" });
    expect(await cycles.activeForService("search", "production")).toEqual([]);
  });

  it("lists newest first with a status filter and a cursor, and counts creations", async () => {
    for (let i = 0; i < 5; i++) await cycles.create(manual(at(i * 1000)));
    await cycles.claimNext({ owner: "r", leaseMs: 60_000, now: at(9000) });
    const page1 = await cycles.list({ limit: 2 });
    expect(page1.map((c) => c.id)).toEqual(["si_2025_03_01_005", "si_2025_03_01_004"]);
    const page2 = await cycles.list({ limit: 2, before: page1[1]?.id });
    expect(page2.map((c) => c.id)).toEqual(["si_2025_03_01_003", "si_2025_03_01_002"]);
    expect((await cycles.list({ status: "running" })).map((c) => c.id)).toEqual(["si_2025_03_01_001"]);
    expect(await cycles.countCreatedSince(at(2000))).toBe(3);
    expect(await cycles.get("si_2025_03_01_404")).toBeNull();
  });
});
