import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type Database } from "./index.js";
import { createQuotasRepo } from "./quotas-repo.js";

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => db.close());
const now = new Date("2026-11-20T10:00:00Z");

describe("quotas", () => {
  it("gives the last cycle slot to exactly one of many concurrent cycles", async () => {
    const q = createQuotasRepo(db);
    await q.reserveCycleSlot({ environment: "production", period: "2026-11-20", cycleId: "si_a", limit: 3, now });
    await q.reserveCycleSlot({ environment: "production", period: "2026-11-20", cycleId: "si_b", limit: 3, now });
    const racers = Array.from({ length: 8 }, (_, i) => `si_r${i}`);
    const results = await Promise.all(racers.map((cycleId) => q.reserveCycleSlot({ environment: "production", period: "2026-11-20", cycleId, limit: 3, now })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await q.usage("production", "2026-11-20")).toMatchObject({ cycles: 3 });
    const winner = racers[results.findIndex((r) => r.ok)]!;
    expect(await q.holdsSlot("production", "2026-11-20", winner)).toBe(true);
    expect(await q.state("production", "2026-11-20", winner)).toMatchObject({ cycles: 3, holdsSlot: true });
    expect(await q.state("production", "2026-11-20", null)).toMatchObject({ cycles: 3, holdsSlot: false });
    expect(await q.state("staging", "2026-11-20", winner)).toEqual({ cycles: 0, spentUsd: 0, holdsSlot: false });
  });

  it("counts a cycle once however often it reserves, per environment and day", async () => {
    const q = createQuotasRepo(db);
    for (let i = 0; i < 3; i++) expect((await q.reserveCycleSlot({ environment: "staging", period: "2026-11-20", cycleId: "si_s", limit: 1, now })).ok).toBe(true);
    expect((await q.reserveCycleSlot({ environment: "staging", period: "2026-11-20", cycleId: "si_t", limit: 1, now })).ok).toBe(false);
    expect((await q.reserveCycleSlot({ environment: "staging", period: "2026-11-21", cycleId: "si_t", limit: 1, now })).ok).toBe(true);
    expect((await q.reserveCycleSlot({ environment: "dev", period: "2026-11-20", cycleId: "si_u", limit: 0, now })).ok).toBe(false);
  });

  it("never lets concurrent spend pass the budget", async () => {
    const q = createQuotasRepo(db);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => q.reserveSpend({ environment: "production", period: "2026-11-20", cycleId: `si_${i % 4}`, amountUsd: 0.75, budgetUsd: 6, now })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(8);
    expect((await q.usage("production", "2026-11-20")).spentUsd).toBe(6);
    expect((await q.state("production", "2026-11-20", null)).spentUsd).toBe(6);
    const held = await Promise.all([0, 1, 2, 3].map((i) => q.reservedBy("production", "2026-11-20", `si_${i}`)));
    expect(held.reduce((a, b) => a + b, 0)).toBe(6);
    expect((await q.reserveSpend({ environment: "production", period: "2026-11-20", cycleId: "si_x", amountUsd: 7, budgetUsd: 6, now })).ok).toBe(false);
  });
});
