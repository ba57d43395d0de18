import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, openTestDatabase, type Database } from "./index.js";
import { createAnomalyMonitorRepo, type AnomalyEventInput } from "./anomaly-monitor-repo.js";

let db: Database;
let replica: Database;
beforeAll(async () => {
  db = await openTestDatabase();
  // A second pool on the same schema: another replica of the server.
  replica = await openDatabase({ databaseUrl: db.connectionString, schema: db.schema, poolMax: 4 });
});
afterAll(async () => {
  await replica?.close();
  await db?.close();
});

const now = new Date("2026-11-20T11:00:00Z");
const at = (hhmm: string) => new Date(`2026-11-20T${hhmm}:00Z`);
const event = (over: Partial<AnomalyEventInput> = {}): AnomalyEventInput => ({
  environment: "production",
  series: "search:ndcg_drop",
  start: at("10:10"),
  end: at("10:20"),
  peakScore: 0.7,
  modelVersion: null,
  gapMs: 0,
  by: "replica-a",
  now,
  ...over,
});

describe("anomaly monitor repository", () => {
  it("gives a new event to exactly one of many replicas claiming it together", async () => {
    const repos = [createAnomalyMonitorRepo(db), createAnomalyMonitorRepo(replica)];
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => repos[i % 2]!.claimEvent(event({ by: `replica-${i}` }))));
    expect(claims.filter((c) => c.status === "new")).toHaveLength(1);
    const known = claims.filter((c) => c.status === "known");
    expect(known).toHaveLength(7);
    expect(new Set(known.map((c) => c.status === "known" && c.startedAt.toISOString()))).toEqual(new Set(["2026-11-20T10:10:00.000Z"]));
  });

  it("takes a run that overlaps a recorded one for the same event, extends it, and reports a later run as new", async () => {
    const repo = createAnomalyMonitorRepo(db);
    const series = "search:recall_drop";
    expect(await repo.claimEvent(event({ series, start: at("10:10"), end: at("10:20") }))).toEqual({ status: "new" });
    // A later window sees the run go on, and one that starts after 10:10 sees it cut at its start.
    expect(await repo.claimEvent(event({ series, start: at("10:10"), end: at("10:40"), peakScore: 0.9 }))).toMatchObject({ status: "known", reportedBy: "replica-a" });
    expect(await repo.claimEvent(event({ series, start: at("10:30"), end: at("10:45"), by: "replica-b" }))).toMatchObject({ status: "known", startedAt: at("10:10") });
    const row = await db.query("SELECT started_at, ended_at, peak_score FROM anomaly_events WHERE series = $1", [series]);
    expect(row.rows.map((r) => [new Date(r.started_at).toISOString(), new Date(r.ended_at).toISOString(), Number(r.peak_score)])).toEqual([
      ["2026-11-20T10:10:00.000Z", "2026-11-20T10:45:00.000Z", 0.9],
    ]);
    expect(await repo.claimEvent(event({ series, start: at("10:46"), end: at("10:46") }))).toEqual({ status: "new" });
    // Within the gap of a recorded event is the same event, seen closer.
    expect(await repo.claimEvent(event({ series, start: at("10:52"), end: at("10:53"), gapMs: 6 * 60_000 }))).toMatchObject({ status: "known", startedAt: at("10:46") });
    expect(await repo.claimEvent(event({ series, start: at("11:03"), end: at("11:04"), gapMs: 10 * 60_000 }))).toMatchObject({ status: "known", startedAt: at("10:46") });
    expect(await repo.claimEvent(event({ series, start: at("11:16"), end: at("11:16"), gapMs: 10 * 60_000 }))).toEqual({ status: "new" });
    // The same series in another environment is another series.
    expect(await repo.claimEvent(event({ series, environment: "staging" }))).toEqual({ status: "new" });
  });

  it("signals a version's drift once, again after it cleared, and again for another version", async () => {
    const repos = [createAnomalyMonitorRepo(db), createAnomalyMonitorRepo(replica)];
    const drift = { environment: "production", series: "search:ndcg_drop", modelVersion: "3", psi: 0.4, now };
    const first = await Promise.all(Array.from({ length: 6 }, (_, i) => repos[i % 2]!.signalDrift(drift)));
    expect(first.filter(Boolean)).toHaveLength(1);
    expect(await repos[0]!.signalDrift(drift)).toBe(false);
    expect(await repos[1]!.signalDrift({ ...drift, modelVersion: "4" })).toBe(true);
    expect(await repos[0]!.signalDrift({ ...drift, modelVersion: "4" })).toBe(false);
    await repos[1]!.clearDrift("production", "search:ndcg_drop");
    expect(await repos[0]!.signalDrift({ ...drift, modelVersion: "4" })).toBe(true);
    expect(await repos[0]!.signalDrift({ ...drift, environment: "staging" })).toBe(true);
  });
});
