import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApprovalsRepo, type ApprovalsRepo, type CreateApprovalInput } from "./approvals-repo.js";
import type { Database } from "./db.js";
import { openTestDatabase } from "./testing.js";

const T0 = new Date("2025-03-01T10:00:00.000Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function request(overrides: Partial<CreateApprovalInput> = {}): CreateApprovalInput {
  return {
    cycleId: "si_2025_03_01_001",
    tool: "mlflow_set_model_alias",
    input: { model: "search-reranker", alias: "champion", version: "7" },
    callHash: "hash-of-call",
    principal: { type: "agent", id: "devops", cycleId: "si_2025_03_01_001" },
    reasons: ["destructive tool in production"],
    requestedAt: T0,
    expiresAt: at(60),
    ...overrides,
  };
}

describe("approvals repo", () => {
  let db: Database;
  let approvals: ApprovalsRepo;
  beforeAll(async () => {
    db = await openTestDatabase();
    approvals = createApprovalsRepo(db);
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await db.query("TRUNCATE approvals");
  });

  it("creates a pending approval with a random ap_ id", async () => {
    const a = await approvals.create(request());
    const b = await approvals.create(request());
    expect(a.id).toMatch(/^ap_[0-9a-f]{24}$/);
    expect(b.id).not.toBe(a.id);
    expect(a).toMatchObject({ status: "pending", tool: "mlflow_set_model_alias", input: request().input, principal: request().principal, reasons: request().reasons, expiresAt: at(60), decidedBy: null, usedAt: null });
    expect(await approvals.get(a.id)).toEqual(a);
    expect(await approvals.get("ap_missing")).toBeNull();
  });

  it("is consumed once, only for the same call, after approval", async () => {
    const a = await approvals.create(request());
    expect(await approvals.consume(a.id, "hash-of-call", at(1))).toBeNull();
    const decided = await approvals.decide(a.id, { decision: "approved", by: "alice", reason: "looks right", now: at(2) });
    expect(decided).toMatchObject({ status: "approved", decidedBy: "alice", decidedAt: at(2), decisionReason: "looks right" });

    expect(await approvals.consume(a.id, "hash-of-another-call", at(3))).toBeNull();
    const used = await approvals.consume(a.id, "hash-of-call", at(4));
    expect(used).toMatchObject({ id: a.id, status: "used", usedAt: at(4) });
    expect(await approvals.consume(a.id, "hash-of-call", at(5))).toBeNull();
  });

  it("lets exactly one of several concurrent consumers use an approval", async () => {
    const a = await approvals.create(request());
    await approvals.decide(a.id, { decision: "approved", by: "alice", reason: null, now: at(1) });
    const results = await Promise.all(Array.from({ length: 6 }, () => approvals.consume(a.id, "hash-of-call", at(2))));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });

  it("never lets a rejected approval be consumed, nor a decision be changed", async () => {
    const a = await approvals.create(request());
    await approvals.decide(a.id, { decision: "rejected", by: "bob", reason: "not during the sale", now: at(1) });
    expect(await approvals.consume(a.id, "hash-of-call", at(2))).toBeNull();
    await expect(approvals.decide(a.id, { decision: "approved", by: "mallory", reason: null, now: at(3) })).rejects.toMatchObject({
      name: "StoreError",
      code: "store_conflict",
      message: `cannot decide approval ${a.id}: it is already rejected`,
    });
    await expect(approvals.decide("ap_nope", { decision: "approved", by: "x", reason: null, now: at(3) })).rejects.toMatchObject({ code: "store_not_found" });
  });

  it("expires: no decision or use after expires_at, and expireDue marks due pending ones", async () => {
    const soon = await approvals.create(request({ expiresAt: at(10) }));
    const later = await approvals.create(request({ expiresAt: at(120), requestedAt: at(1) }));
    const approved = await approvals.create(request({ expiresAt: at(10) }));
    await approvals.decide(approved.id, { decision: "approved", by: "alice", reason: null, now: at(5) });

    expect((await approvals.listPending(at(5))).map((a) => a.id)).toEqual([soon.id, later.id]);
    expect((await approvals.listPending(at(10))).map((a) => a.id)).toEqual([later.id]);
    await expect(approvals.decide(soon.id, { decision: "approved", by: "alice", reason: null, now: at(10) })).rejects.toThrow(
      `cannot decide approval ${soon.id}: it is expired at 2025-03-01T10:10:00.000Z`,
    );
    expect(await approvals.consume(approved.id, "hash-of-call", at(11))).toBeNull();

    const expired = await approvals.expireDue(at(11));
    expect(expired.map((a) => [a.id, a.status])).toEqual([[soon.id, "expired"]]);
    expect((await approvals.get(later.id))?.status).toBe("pending");
    expect((await approvals.get(approved.id))?.status).toBe("approved");
  });
});
