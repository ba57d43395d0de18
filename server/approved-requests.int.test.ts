import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outsideCycleScope, type Principal } from "../policies/index.js";
import { startHarness, type Harness } from "./testing/harness.js";
import { runLeftoverRequests } from "./approvals.js";

describe("approved requests made outside any cycle", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ scenario: "ndcg-drop" });
  });
  afterAll(() => h?.close());

  it("runs, once, a request whose approval was recorded by a process that stopped before running it", async () => {
    const principal: Principal = { type: "McpClient", id: "claude-desktop" };
    const input = { service: "search", signal: "ndcg_drop", reason: "relevance looks low since the sale" };
    const checked = await h.ap.gate.check({ principal, tool: "autopilot_request_cycle", input, scope: outsideCycleScope(h.ap.environment) });
    expect(checked.decision?.outcome).toBe("require_approval");
    const now = new Date();
    const asked = await h.ap.store.approvals.create({ cycleId: null, tool: "autopilot_request_cycle", input, callHash: checked.callHash!, principal, reasons: checked.decision!.reasons, requestedAt: new Date(now.getTime() - 5 * 60_000), expiresAt: new Date(now.getTime() + 60 * 60_000) });
    // Approved two minutes ago, and the process died before the call ran.
    await h.ap.store.approvals.decide(asked.id, { decision: "approved", by: "ada", reason: "go", now: new Date(now.getTime() - 2 * 60_000) });
    // One approved a moment ago is left to the process that approved it.
    const fresh = await h.ap.store.approvals.create({ cycleId: null, tool: "autopilot_request_cycle", input: { ...input, service: "catalog" }, callHash: "0".repeat(64), principal, reasons: [], requestedAt: now, expiresAt: new Date(now.getTime() + 60 * 60_000) });
    await h.ap.store.approvals.decide(fresh.id, { decision: "approved", by: "ada", reason: "go", now });

    expect(await runLeftoverRequests(h.ap, now)).toBe(1);
    expect((await h.ap.store.approvals.get(asked.id))!.status).toBe("used");
    expect((await h.ap.store.approvals.get(fresh.id))!.status).toBe("approved");
    const cycles = await h.ap.store.cycles.list({ limit: 10 });
    expect(cycles.map((c) => [c.service, c.status, c.trigger.alertname])).toEqual([["search", "queued", "CycleRequested"]]);
    // Spent: a second sweep runs nothing.
    expect(await runLeftoverRequests(h.ap, now)).toBe(0);
  });
});
