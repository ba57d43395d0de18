import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./db.js";
import { createFlagsRepo, type FeatureFlags } from "./flags-repo.js";
import { openTestDatabase } from "./testing.js";

const base: FeatureFlags = {
  killSwitch: false,
  autoPromote: false,
  autoRollback: true,
  abTesting: { enabled: true, splitPercent: 20 },
  costOptimization: { enabled: true, budgetUsdPerDay: 500 },
  manualApprovalRequired: false,
  maxCyclesPerDay: { enabled: true, limit: 20 },
  changeFreeze: { enabled: false, windows: [] },
};

describe("flags repo", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.close());

  it("seeds the defaults of each environment", async () => {
    const flags = createFlagsRepo(db);
    expect(await flags.forEnvironment("dev")).toEqual(base);
    expect(await flags.forEnvironment("staging")).toEqual({ ...base, manualApprovalRequired: true });
    expect(await flags.forEnvironment("production")).toEqual({ ...base, autoPromote: true });
    const rows = await flags.list();
    expect(rows).toHaveLength(24);
    expect(rows[0]).toMatchObject({ environment: "dev", flagName: "ab_testing", metadata: { split_percent: 20 }, updatedBy: "migration:002" });
  });

  it("sets a flag, keeping its metadata unless given, and validates it", async () => {
    const flags = createFlagsRepo(db);
    const now = new Date("2025-03-01T10:00:00.000Z");
    const row = await flags.set("ab_testing", "staging", { enabled: false }, "alice", now);
    expect(row).toEqual({ flagName: "ab_testing", environment: "staging", enabled: false, metadata: { split_percent: 20 }, updatedAt: now, updatedBy: "alice" });
    await flags.set("change_freeze", "staging", { enabled: true, metadata: { windows: [{ start: "2025-12-20T00:00:00Z", end: "2026-01-02T00:00:00Z", reason: "holidays" }] } }, "alice", now);
    expect(await flags.forEnvironment("staging")).toMatchObject({
      abTesting: { enabled: false, splitPercent: 20 },
      changeFreeze: { enabled: true, windows: [{ start: "2025-12-20T00:00:00Z", end: "2026-01-02T00:00:00Z", reason: "holidays" }] },
    });
    expect((await flags.forEnvironment("production")).abTesting.enabled).toBe(true);

    await expect(flags.set("max_cycles_per_day", "dev", { enabled: true, metadata: { limit: "many" } }, "bob", now)).rejects.toMatchObject({
      code: "store_invalid_data",
      message: expect.stringMatching(/^invalid metadata for feature flag max_cycles_per_day: limit: /),
    });
    await expect(flags.set("yolo_mode", "dev", { enabled: true }, "bob", now)).rejects.toThrow(/unknown feature flag yolo_mode/);
  });

  it("names a missing flag rather than guessing its value", async () => {
    const flags = createFlagsRepo(db);
    await db.query("DELETE FROM feature_flags WHERE flag_name = 'kill_switch' AND environment = 'dev'");
    await expect(flags.forEnvironment("dev")).rejects.toThrow("feature flag kill_switch is missing for environment dev");
  });
});
