import { EventEmitter } from "node:events";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApprovalsRepo, createAuditRepo, createCyclesRepo, openTestDatabase, type Database } from "./store/index.js";
import { createLiveFeed, followCycle, type LiveEvent, type LiveFeedDeps } from "./live-feed.js";

const NOW = new Date("2026-11-20T08:00:00.000Z");
const silent = { warn: () => undefined };

describe("live feed", () => {
  let db: Database;
  let deps: LiveFeedDeps & { store: { cycles: ReturnType<typeof createCyclesRepo>; approvals: ReturnType<typeof createApprovalsRepo>; audit: ReturnType<typeof createAuditRepo> } };
  beforeAll(async () => {
    db = await openTestDatabase();
    deps = { store: { cycles: createCyclesRepo(db), approvals: createApprovalsRepo(db), audit: createAuditRepo(db) }, events: new EventEmitter(), logger: silent };
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await db.query("TRUNCATE alerts, cycles, cycle_counters, approvals");
  });

  const until = async <T>(read: () => T | undefined, what: string): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const value = read();
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`never saw ${what}`);
  };

  it("tells a listener about cycles that start or change and approvals requested or decided, not what was there before", async () => {
    const before = await deps.store.cycles.create({ environment: "production", service: "search", signal: "ndcg_drop", trigger: { manual: true }, now: NOW });
    const feed = createLiveFeed(deps, { intervalMs: 50 });
    const seen: LiveEvent[] = [];
    const unsubscribe = feed.subscribe((e) => seen.push(e));
    // The first poll only learns what exists.
    await new Promise((r) => setTimeout(r, 150));
    expect(seen).toEqual([]);

    const created = await deps.store.cycles.create({ environment: "production", service: "search", signal: "latency_p95", trigger: { manual: true }, now: NOW });
    await until(() => seen.find((e) => e.type === "cycle" && e.cycle.id === created.id), "the new cycle");
    const claimed = await deps.store.cycles.claimNext({ owner: "w1", leaseMs: 60_000, now: NOW });
    expect(claimed?.id).toBe(before.id);
    await until(() => seen.find((e) => e.type === "cycle" && e.cycle.id === before.id && e.cycle.status === "running"), "the claimed cycle running");

    const approval = await deps.store.approvals.create({ cycleId: before.id, tool: "argocd_sync_application", input: { app: "search" }, callHash: "h", principal: { type: "Agent", id: "devops" }, reasons: ["needs a human"], requestedAt: new Date(), expiresAt: new Date(Date.now() + 60_000) });
    await until(() => seen.find((e) => e.type === "approval" && e.approval.id === approval.id && e.approval.status === "pending"), "the pending approval");
    await deps.store.approvals.decide(approval.id, { decision: "rejected", by: "olivia", reason: "not now", now: new Date() });
    const decided = await until(() => seen.find((e) => e.type === "approval" && e.approval.status === "rejected"), "the rejection");
    expect(decided.type === "approval" && decided.approval.decidedBy).toBe("olivia");
    unsubscribe();
    feed.close();
  });

  it("follows one cycle's entries in order and its changes until it settles, resuming after a given seq", async () => {
    const cycle = await deps.store.cycles.create({ environment: "production", service: "search", signal: "ndcg_drop", trigger: { manual: true }, now: NOW });
    const append = (kind: string) => deps.store.audit.append({ at: NOW, cycleId: cycle.id, kind, actor: { type: "Agent", id: "supervisor" }, data: {} });
    const first = await append("cycle_started");
    const entries: string[] = [];
    const statuses: string[] = [];
    const following = followCycle(deps, cycle.id, { audit: async (e) => void entries.push(e.kind), cycle: async (c) => void statuses.push(c.status) }, { intervalMs: 30, signal: new AbortController().signal });
    await until(() => (entries.length === 1 ? true : undefined), "the first entry");
    await deps.store.cycles.claimNext({ owner: "w1", leaseMs: 60_000, now: NOW });
    await append("supervisor_decision");
    await append("cycle_finished");
    await deps.store.cycles.complete(cycle.id, "w1", { outcome: "no_action", report: {}, now: NOW });
    expect(await following).toBe("settled");
    expect(entries).toEqual(["cycle_started", "supervisor_decision", "cycle_finished"]);
    expect(statuses[0]).toBe("queued");
    expect(statuses.at(-1)).toBe("completed");

    // A reconnect after the first entry gets the rest only.
    const rest: string[] = [];
    await followCycle(deps, cycle.id, { audit: async (e) => void rest.push(e.kind), cycle: async () => undefined }, { afterSeq: first.seq, intervalMs: 30, signal: new AbortController().signal });
    expect(rest).toEqual(["supervisor_decision", "cycle_finished"]);
  });

  it("stops following when the client leaves, and says when the cycle does not exist", async () => {
    const cycle = await deps.store.cycles.create({ environment: "production", service: "search", signal: "ndcg_drop", trigger: { manual: true }, now: NOW });
    const controller = new AbortController();
    const following = followCycle(deps, cycle.id, { audit: async () => undefined, cycle: async () => undefined }, { intervalMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await following).toBe("aborted");
    expect(await followCycle(deps, "si_2026_11_20_999", { audit: async () => undefined, cycle: async () => undefined }, { signal: new AbortController().signal })).toBe("gone");
  });
});
