import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuditRepo } from "./audit-repo.js";
import type { Database } from "./db.js";
import { createFlagsRepo } from "./flags-repo.js";
import { createGateOverridesRepo } from "./gate-overrides-repo.js";
import { createGateStateRepo } from "./gate-state-repo.js";
import { createQuotasRepo } from "./quotas-repo.js";
import { openTestDatabase } from "./testing.js";

const NOW = new Date("2026-11-21T09:00:00Z");

describe("gate state version", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.close());

  it("moves with every change to what the gate decides on, and with nothing else", async () => {
    const state = createGateStateRepo(db);
    const flags = createFlagsRepo(db);
    const overrides = createGateOverridesRepo(db);
    const quotas = createQuotasRepo(db);
    const moves = async (change: () => Promise<unknown>) => {
      const before = await state.version();
      await change();
      return (await state.version()) - before;
    };

    expect(await moves(() => flags.set("kill_switch", "production", { enabled: true }, "ada", NOW))).toBeGreaterThan(0);
    expect(await moves(() => overrides.set({ environment: "production", signal: "accuracy", rules: [], reason: "test", by: "ada", now: NOW }))).toBeGreaterThan(0);
    expect(await moves(() => overrides.remove("production", "accuracy"))).toBeGreaterThan(0);
    // An upsert moves it once per statement trigger it fires (insert and update); moved is what counts.
    expect(await moves(() => quotas.reserveCycleSlot({ environment: "production", period: "2026-11-21", cycleId: "si_a", limit: 5, now: NOW }))).toBeGreaterThan(0);
    expect(await moves(() => quotas.reserveSpend({ environment: "production", period: "2026-11-21", cycleId: "si_a", amountUsd: 1.5, budgetUsd: 10, now: NOW }))).toBeGreaterThan(0);
    // Reads, and writes to tables the gate does not decide on, leave it.
    expect(
      await moves(async () => {
        await flags.forEnvironment("production");
        await quotas.state("production", "2026-11-21", "si_a");
        await createAuditRepo(db).append({ at: NOW, cycleId: null, kind: "note", actor: { type: "Operator", id: "ada" }, data: {} });
      }),
    ).toBe(0);
  });

  it("is read in the same snapshot as the reads started beside it", async () => {
    const state = createGateStateRepo(db);
    const flags = createFlagsRepo(db);
    const [version, production] = await Promise.all([state.version(), flags.forEnvironment("production")]);
    expect(production.killSwitch).toBe(true);
    await flags.set("kill_switch", "production", { enabled: false }, "ada", NOW);
    const [after, resumed] = await Promise.all([state.version(), flags.forEnvironment("production")]);
    expect(resumed.killSwitch).toBe(false);
    expect(after).toBeGreaterThan(version);
  });
});
