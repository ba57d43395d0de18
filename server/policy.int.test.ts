import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CycleReportSchema, type CycleReport } from "../graphs/index.js";
import { startHarness, type Harness } from "./testing/harness.js";

describe("a cycle in production during a change freeze", () => {
  let h: Harness;
  let report: CycleReport;
  let headBefore: string | null;
  beforeAll(async () => {
    h = await startHarness({ scenario: "ndcg-drop" });
    await h.ap.store.flags.set("change_freeze", "production", { enabled: true, metadata: { windows: [] } }, "test", new Date());
    headBefore = await h.ap.platform.clients.gitops.head();
    const sandbox = h.ap.platform.sandbox!;
    sandbox.advanceToAlert(0);
    const { cycles_started } = (await (await h.webhook(sandbox.alertPayload(0))).json()) as { cycles_started: string[] };
    report = CycleReportSchema.parse((await h.settle(cycles_started[0]!)).report);
  });
  afterAll(async () => h?.close());

  it("escalates at the first deploy, naming the freeze", () => {
    expect(report.outcome).toBe("escalated");
    expect(report.outcome_reason).toMatch(/stopped by policy/i);
    expect(report.outcome_reason).toMatch(/freeze/i);
    const denied = report.actions.filter((a) => a.status === "denied");
    expect(denied.map((a) => a.tool)).toEqual(["gitops_write_values"]);
    expect(report.actions.filter((a) => a.status === "success").map((a) => a.tool)).not.toContain("argocd_sync_application");
  });

  it("never lets the denied calls reach a system: Git, Argo CD and what serves are as before", async () => {
    const { gitops, argocd } = h.ap.platform.clients;
    expect(await gitops.head()).toBe(headBefore);
    const app = await argocd.getApplication("search");
    expect(app.status?.history).toHaveLength(1);
    expect(app.status?.operationState).toBeUndefined();
    expect(h.ap.platform.sandbox!.state().serving).toMatchObject({ champion: { version: "1" }, canary: null });
    const rows = await h.ap.store.audit.list({ cycleId: report.cycle_id, limit: 5000 });
    const deny = rows.find((r) => r.kind === "policy_decision" && r.decision === "deny")!;
    const hash = (deny.data as { call_hash: string }).call_hash;
    expect(rows.some((r) => r.kind === "tool_result" && (r.data as { call_hash?: string }).call_hash === hash)).toBe(false);
  });
});
