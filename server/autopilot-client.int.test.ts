import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_SERVICE_CATALOG, isAutopilotError } from "../core/index.js";
import type { AutopilotClient } from "../tools/autopilot/index.js";
import { createAutopilotClient, REQUEST_ALERTNAME } from "./autopilot-client.js";
import { createAlertsRepo, createApprovalsRepo, createAuditRepo, createCyclesRepo, openTestDatabase, type Database } from "./store/index.js";

const T0 = new Date("2026-11-20T08:00:00.000Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

describe("the autopilot tools' client over the store", () => {
  let db: Database;
  let store: { cycles: ReturnType<typeof createCyclesRepo>; audit: ReturnType<typeof createAuditRepo>; approvals: ReturnType<typeof createApprovalsRepo>; alerts: ReturnType<typeof createAlertsRepo> };
  let client: AutopilotClient;
  let now = T0;
  let wakes = 0;
  beforeAll(async () => {
    db = await openTestDatabase();
    store = { cycles: createCyclesRepo(db), audit: createAuditRepo(db), approvals: createApprovalsRepo(db), alerts: createAlertsRepo(db) };
    client = createAutopilotClient({ store, catalog: DEFAULT_SERVICE_CATALOG, now: () => now, groupWindowMs: 10 * 60_000, wake: () => void wakes++ });
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await db.query("TRUNCATE alerts, cycles, cycle_counters, approvals");
    now = T0;
    wakes = 0;
  });

  /** A finished cycle with `outcome`, created at `minutes`. */
  const finished = async (minutes: number, outcome: string, service = "search") => {
    const row = await store.cycles.create({ environment: "production", service, signal: "ndcg_drop", trigger: { alertname: "SearchNdcgDrop", value: 0.6, labels: { a: "b" } }, now: at(minutes) });
    await store.cycles.claimNext({ owner: "t", leaseMs: 60_000, now: at(minutes) });
    await store.cycles.complete(row.id, "t", { outcome, report: { outcome, outcome_reason: `because ${outcome}` }, now: at(minutes + 1) });
    return row.id;
  };

  it("queues a requested cycle through the alert intake, woken, with the reason as the alert's summary", async () => {
    const first = await client.requestCycle({ environment: "production", service: "search", signal: "ndcg_drop", reason: "retrain the reranker" });
    expect(first.disposition).toBe("started");
    expect(wakes).toBe(1);
    const row = (await store.cycles.get(first.cycle_id))!;
    expect(row).toMatchObject({ status: "queued", environment: "production", service: "search", signal: "ndcg_drop", alertCount: 1 });
    expect(row.trigger).toMatchObject({ alertname: REQUEST_ALERTNAME, labels: { alertname: REQUEST_ALERTNAME, signal: "ndcg_drop", service: "search" }, annotations: { summary: "retrain the reranker" } });
    // A second request inside the group window joins the active cycle instead of starting another.
    now = at(2);
    const second = await client.requestCycle({ environment: "production", service: "search", signal: "ndcg_drop", reason: "retrain the reranker" });
    expect(second).toEqual({ cycle_id: first.cycle_id, disposition: "joined" });
    expect(wakes).toBe(1);
    expect((await store.cycles.get(first.cycle_id))!.alertCount).toBe(2);
  });

  it("refuses a service the catalog does not list, naming those it does", async () => {
    const error = await client.requestCycle({ environment: "production", service: "reranker", signal: "ndcg_drop", reason: "x" }).catch((e: unknown) => e);
    expect(isAutopilotError(error) && error.code).toBe("unknown_service");
    expect((error as Error).message).toBe('service "reranker" is not in the catalog (search)');
    expect(await store.cycles.list()).toEqual([]);
  });

  it("finds the last cycle with an outcome across scan pages, and pages on from it", async () => {
    const rolledBack = await finished(0, "rolled_back");
    for (let i = 1; i <= 120; i++) await finished(i * 2, "promoted");
    const page = await client.listCycles({ outcome: "rolled_back", limit: 1 });
    expect(page.cycles.map((c) => [c.id, c.outcome])).toEqual([[rolledBack, "rolled_back"]]);
    expect(page.cycles[0]).toMatchObject({ alertname: "SearchNdcgDrop", value: 0.6, untrusted_alert: { labels: { a: "b" }, annotations: {} } });
    expect(await client.listCycles({ outcome: "rolled_back", limit: 1, before: page.next_before! })).toEqual({ cycles: [], next_before: null });
    const plain = await client.listCycles({ limit: 3 });
    expect(plain.cycles).toHaveLength(3);
    expect(plain.next_before).toBe(plain.cycles[2]!.id);
    expect(await client.listCycles({ outcome: "promoted", status: "queued", limit: 5 })).toEqual({ cycles: [], next_before: null });
  });

  it("reads a cycle with its report, and pages its audit trail", async () => {
    const id = await finished(0, "escalated");
    for (let i = 0; i < 3; i++) await store.audit.append({ at: at(i), cycleId: id, kind: "policy_decision", actor: { type: "Agent", id: "devops" }, tool: "argocd_sync_application", decision: "deny", data: { reasons: [`r${i}`] } });
    expect(await client.getCycle(id)).toMatchObject({ cycle: { id, status: "completed", outcome: "escalated" }, report: { outcome_reason: "because escalated" } });
    expect(await client.getCycle("si_2026_11_20_099")).toBeNull();
    const first = (await client.getCycleAudit(id, { afterSeq: 0, limit: 2 }))!;
    expect(first.entries.map((e) => e.data)).toEqual([{ reasons: ["r0"] }, { reasons: ["r1"] }]);
    expect(first.entries[0]).toMatchObject({ kind: "policy_decision", actor: { type: "Agent", id: "devops" }, at: at(0).toISOString() });
    const rest = (await client.getCycleAudit(id, { afterSeq: first.next_after_seq!, limit: 2 }))!;
    expect(rest).toEqual({ entries: [expect.objectContaining({ data: { reasons: ["r2"] } })], next_after_seq: null });
    expect(await client.getCycleAudit("si_2026_11_20_099", { afterSeq: 0, limit: 2 })).toBeNull();
  });

  it("lists pending approvals with who asked", async () => {
    const requestedAt = new Date();
    await store.approvals.create({ cycleId: null, tool: "autopilot_request_cycle", input: { service: "search" }, callHash: "h", principal: { type: "Operator", id: "olivia", role: "operator" }, reasons: ["why"], requestedAt, expiresAt: new Date(requestedAt.getTime() + 60_000) });
    const [approval] = await client.listApprovals();
    expect(approval).toMatchObject({ cycle_id: null, tool: "autopilot_request_cycle", input: { service: "search" }, requested_by: { type: "Operator", id: "olivia" }, reasons: ["why"] });
  });
});
