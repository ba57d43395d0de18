import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SimulatedClock } from "../core/index.js";
import { loadScenario, type Scenario } from "../evals/sandbox/index.js";
import { CycleReportSchema } from "../graphs/index.js";
import { loadConfig } from "./config.js";
import { openPlatform, type Platform } from "./platform.js";
import { openTestDatabase, type Database } from "./store/index.js";
import { startHarness, type Harness } from "./testing/harness.js";

const staging: Scenario = { ...loadScenario("ndcg-drop"), environment: "staging" };

/** A platform (the sandbox world) that outlives the autopilot processes of a test. */
async function sharedWorld(scenario: Scenario): Promise<Platform> {
  const config = loadConfig({ AUTOPILOT_HOME: mkdtempSync(path.join(tmpdir(), "autopilot-world-")), LOG_LEVEL: "silent" } as NodeJS.ProcessEnv);
  return openPlatform({ config, environment: scenario.environment, scenario, clock: new SimulatedClock({ start: new Date(scenario.start) }) });
}

async function startCycle(h: Harness): Promise<string> {
  const sandbox = h.ap.platform.sandbox!;
  sandbox.advanceToAlert(0);
  const body = (await (await h.webhook(sandbox.alertPayload(0))).json()) as { cycles_started: string[] };
  return body.cycles_started[0]!;
}

describe("a staging cycle that needs a human to promote", () => {
  let db: Database;
  let platform: Platform;
  const harnesses: Harness[] = [];
  afterAll(async () => {
    for (const h of harnesses) await h.close({ keepDb: true }).catch(() => undefined);
    await platform?.close();
    await db?.close();
  });

  it("pauses at the promotion, survives a restart of the process, and finishes on the operator's approvals", async () => {
    db = await openTestDatabase();
    platform = await sharedWorld(staging);
    const first = await startHarness({ scenario: staging, db, platform });
    harnesses.push(first);
    const cycleId = await startCycle(first);
    const paused = await first.settle(cycleId);
    expect(paused.status).toBe("awaiting_approval");
    expect(platform.sandbox!.state().serving.champion.version).toBe("1");

    // What the operator sees: the exact call, its input and why the policy asks.
    const listed = (await (await first.api("GET", "/api/v1/approvals", first.tokens.viewer)).json()) as {
      approvals: Array<{ id: string; tool: string; input: { model_version: string }; reasons: string[] }>;
    };
    expect(listed.approvals).toHaveLength(1);
    expect(listed.approvals[0]).toMatchObject({ id: paused.pendingApprovalId, tool: "gitops_write_values", input: { model_version: "2" } });
    expect(listed.approvals[0]!.reasons.join(" ")).toMatch(/approv/);
    expect((await first.api("POST", `/api/v1/approvals/${paused.pendingApprovalId}/approve`, first.tokens.viewer, {})).status).toBe(403);

    // The process stops while the cycle waits; a new one (new graph, runner, checkpointer) takes over.
    await first.close({ keepDb: true });
    harnesses.pop();
    const second = await startHarness({ scenario: staging, db, platform });
    harnesses.push(second);
    let cycle = paused;
    let approvals = 0;
    while (cycle.status === "awaiting_approval") {
      const res = await second.api("POST", `/api/v1/approvals/${cycle.pendingApprovalId}/approve`, second.tokens.operator, { reason: "reviewed the A/B result" });
      expect(res.status).toBe(200);
      approvals++;
      cycle = await second.settle(cycleId);
    }
    expect(cycle.status).toBe("completed");
    const report = CycleReportSchema.parse(cycle.report);
    expect(report.outcome).toBe("promoted");
    expect(report.approver).toBe("olivia");
    expect(report.approvals.map((a) => a.status)).toEqual(Array(approvals).fill("approved"));
    expect(report.approvals.map((a) => a.tool)).toEqual(["gitops_write_values", "argocd_sync_application", "mlflow_set_model_alias"]);
    expect(platform.sandbox!.state().serving.champion.version).toBe("2");
    // Every approval was used exactly once, for the call it was granted for.
    const used = await db.query("SELECT status FROM approvals WHERE cycle_id = $1", [cycleId]);
    expect(used.rows.map((r) => r.status)).toEqual(Array(approvals).fill("used"));
    expect(await second.ap.store.audit.verify()).toMatchObject({ ok: true });
  });

  it("ends as escalated with the operator's reason when the promotion is rejected", async () => {
    const h = await startHarness({ scenario: staging });
    harnesses.push(h);
    const cycleId = await startCycle(h);
    const paused = await h.settle(cycleId);
    expect((await h.api("POST", `/api/v1/approvals/${paused.pendingApprovalId}/reject`, h.tokens.operator, {})).status).toBe(400);
    const res = await h.api("POST", `/api/v1/approvals/${paused.pendingApprovalId}/reject`, h.tokens.operator, { reason: "freeze for the holiday sale" });
    expect(res.status).toBe(200);
    const done = await h.settle(cycleId);
    const report = CycleReportSchema.parse(done.report);
    expect(report.outcome).toBe("escalated");
    expect(report.outcome_reason).toContain("olivia rejected gitops_write_values: freeze for the holiday sale");
    const rejectedAt = report.actions.findIndex((a) => a.status === "rejected");
    expect(report.actions[rejectedAt]).toMatchObject({ tool: "gitops_write_values", step: "promote" });
    // Nothing was promoted, and the canary of the A/B test was withdrawn before escalating.
    expect(report.actions.slice(rejectedAt + 1).map((a) => a.tool)).toContain("argocd_rollback_application");
    const state = h.ap.platform.sandbox!.state();
    expect(state.serving.champion.version).toBe("1");
    expect(state.serving.canary).toBeNull();
    // A decided approval cannot be decided again.
    expect((await h.api("POST", `/api/v1/approvals/${paused.pendingApprovalId}/approve`, h.tokens.operator, {})).status).toBe(409);
  });
});
