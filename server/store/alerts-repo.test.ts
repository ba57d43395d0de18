import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAlertsRepo, type AlertmanagerAlert, type AlertmanagerPayload, type IngestOptions } from "./alerts-repo.js";
import { createCyclesRepo } from "./cycles-repo.js";
import type { Database } from "./db.js";
import { openTestDatabase } from "./testing.js";

const T0 = new Date("2025-03-01T10:00:00.000Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

function alert(fingerprint: string, overrides: Partial<AlertmanagerAlert> = {}, labels: Record<string, string> = {}): AlertmanagerAlert {
  return {
    status: "firing",
    labels: { alertname: "SearchNdcgDrop", service: "search", environment: "production", signal: "ndcg_drop", ...labels },
    annotations: { value: "0.61", baseline: "0.72", summary: "NDCG@10 dropped" },
    startsAt: "2025-03-01T09:55:00Z",
    endsAt: "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus/graph?g0.expr=search%3Andcg_at_10",
    fingerprint,
    ...overrides,
  };
}

function payload(...alerts: AlertmanagerAlert[]): AlertmanagerPayload {
  return { groupKey: '{}:{alertname="SearchNdcgDrop"}', receiver: "autopilot", status: "firing", alerts };
}

function options(now: Date): IngestOptions {
  return {
    now,
    groupWindowMs: 10 * 60_000,
    defaultEnvironment: "dev",
    classify: (a) => ({ signal: a.labels.signal ?? null, service: a.labels.service ?? null, environment: a.labels.environment ?? "" }),
  };
}

describe("alerts repo", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await db.query("TRUNCATE alerts, cycles, cycle_counters");
  });

  it("starts a queued cycle for a new firing alert, with its trigger", async () => {
    const alerts = createAlertsRepo(db);
    const result = await alerts.ingest(payload(alert("fp1")), options(T0));
    expect(result).toEqual({
      alerts: [{ id: expect.any(Number), fingerprint: "fp1", status: "firing", disposition: "started", cycleId: "si_2025_03_01_001" }],
      cyclesStarted: ["si_2025_03_01_001"],
    });
    const cycle = await createCyclesRepo(db).get("si_2025_03_01_001");
    expect(cycle).toMatchObject({ status: "queued", service: "search", signal: "ndcg_drop", environment: "production", alertCount: 1, createdAt: T0 });
    expect(cycle?.trigger).toEqual({
      signal: "ndcg_drop",
      service: "search",
      environment: "production",
      alertname: "SearchNdcgDrop",
      fingerprint: "fp1",
      labels: alert("fp1").labels,
      annotations: alert("fp1").annotations,
      value: 0.61,
      baseline: 0.72,
      starts_at: "2025-03-01T09:55:00Z",
    });
    const row = await db.query("SELECT * FROM alerts WHERE id = $1", [result.alerts[0]?.id]);
    expect(row.rows[0]).toMatchObject({
      fingerprint: "fp1",
      alertname: "SearchNdcgDrop",
      group_key: '{}:{alertname="SearchNdcgDrop"}',
      receiver: "autopilot",
      received_at: T0,
      cycle_id: "si_2025_03_01_001",
      disposition: "started",
      starts_at: new Date("2025-03-01T09:55:00Z"),
    });
  });

  it("marks a repeat of a fingerprint held by an active cycle as a duplicate", async () => {
    const alerts = createAlertsRepo(db);
    await alerts.ingest(payload(alert("fp1")), options(T0));
    const again = await alerts.ingest(payload(alert("fp1")), options(minutes(30)));
    expect(again.alerts[0]).toMatchObject({ disposition: "duplicate", cycleId: "si_2025_03_01_001" });
    expect(again.cyclesStarted).toEqual([]);
    expect((await createCyclesRepo(db).get("si_2025_03_01_001"))?.alertCount).toBe(1);
    const stored = await db.query("SELECT count(*)::int AS n FROM alerts");
    expect(stored.rows[0]?.n).toBe(2);
  });

  it("joins another alert of the service within the group window and starts a new cycle after it", async () => {
    const alerts = createAlertsRepo(db);
    await alerts.ingest(payload(alert("fp1")), options(T0));
    const joined = await alerts.ingest(payload(alert("fp2", {}, { alertname: "SearchRecallDrop", signal: "recall_drop" })), options(minutes(9)));
    expect(joined.alerts[0]).toMatchObject({ disposition: "joined", cycleId: "si_2025_03_01_001" });
    expect((await createCyclesRepo(db).get("si_2025_03_01_001"))?.alertCount).toBe(2);

    const late = await alerts.ingest(payload(alert("fp3")), options(minutes(11)));
    expect(late.alerts[0]).toMatchObject({ disposition: "started", cycleId: "si_2025_03_01_002" });
    const otherEnv = await alerts.ingest(payload(alert("fp4", {}, { environment: "staging" })), options(minutes(11)));
    expect(otherEnv.alerts[0]).toMatchObject({ disposition: "started", cycleId: "si_2025_03_01_003" });
  });

  it("handles several alerts of one webhook in order: start, join, duplicate", async () => {
    const result = await createAlertsRepo(db).ingest(payload(alert("fp1"), alert("fp2"), alert("fp1")), options(T0));
    expect(result.alerts.map((a) => [a.disposition, a.cycleId])).toEqual([
      ["started", "si_2025_03_01_001"],
      ["joined", "si_2025_03_01_001"],
      ["duplicate", "si_2025_03_01_001"],
    ]);
    expect(result.cyclesStarted).toEqual(["si_2025_03_01_001"]);
  });

  it("starts a new cycle for a fingerprint whose cycle has finished", async () => {
    const alerts = createAlertsRepo(db);
    const cycles = createCyclesRepo(db);
    await alerts.ingest(payload(alert("fp1")), options(T0));
    const claimed = await cycles.claimNext({ owner: "runner-a", leaseMs: 60_000, now: minutes(1) });
    await cycles.complete(claimed?.id ?? "", "runner-a", { outcome: "promoted", report: { ok: true }, now: minutes(2) });
    const again = await alerts.ingest(payload(alert("fp1")), options(minutes(3)));
    expect(again.alerts[0]).toMatchObject({ disposition: "started", cycleId: "si_2025_03_01_002" });
  });

  it("links a resolved alert to the active cycle holding it and never starts a cycle for it", async () => {
    const alerts = createAlertsRepo(db);
    await alerts.ingest(payload(alert("fp1")), options(T0));
    const resolved = await alerts.ingest(payload(alert("fp1", { status: "resolved", endsAt: "2025-03-01T10:20:00Z" }), alert("fp9", { status: "resolved" })), options(minutes(20)));
    expect(resolved.alerts.map((a) => [a.fingerprint, a.disposition, a.cycleId])).toEqual([
      ["fp1", "resolved", "si_2025_03_01_001"],
      ["fp9", "resolved", null],
    ]);
    expect(resolved.cyclesStarted).toEqual([]);
    const row = await db.query("SELECT ends_at FROM alerts WHERE id = $1", [resolved.alerts[0]?.id]);
    expect(row.rows[0]?.ends_at).toEqual(new Date("2025-03-01T10:20:00Z"));
  });

  it("starts a cycle for an unknown service and signal, in the default environment, without a numeric value", async () => {
    const odd = alert("fp1", { labels: { alertname: "Mystery" }, annotations: { value: "n/a" } });
    const result = await createAlertsRepo(db).ingest(payload(odd), options(T0));
    const cycle = await createCyclesRepo(db).get(result.cyclesStarted[0] ?? "");
    expect(cycle).toMatchObject({ service: null, signal: null, environment: "dev" });
    expect(cycle?.trigger).toMatchObject({ alertname: "Mystery", value: null, baseline: null });
  });

  it("starts one cycle when webhooks for the same service arrive concurrently", async () => {
    const alerts = createAlertsRepo(db);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => alerts.ingest(payload(alert(`fp${i}`)), options(T0))));
    const started = results.flatMap((r) => r.cyclesStarted);
    expect(started).toEqual(["si_2025_03_01_001"]);
    const dispositions = results.map((r) => r.alerts[0]?.disposition).sort();
    expect(dispositions).toEqual(["joined", "joined", "joined", "joined", "joined", "joined", "joined", "started"]);
    expect(new Set(results.map((r) => r.alerts[0]?.cycleId))).toEqual(new Set(["si_2025_03_01_001"]));
    expect((await createCyclesRepo(db).get("si_2025_03_01_001"))?.alertCount).toBe(8);
  });
});
