import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { CycleReportSchema, type CycleReport } from "../graphs/index.js";
import { startHarness, type Harness } from "./testing/harness.js";
import type { AuditRow } from "./store/index.js";
import type { PolicyRequest } from "../policies/index.js";

/** Raises the scenario's first alert through the real webhook and runs its cycle to its end. */
async function runScenario(h: Harness) {
  const sandbox = h.ap.platform.sandbox!;
  sandbox.advanceToAlert(0);
  const res = await h.webhook(sandbox.alertPayload(0));
  expect(res.status).toBe(202);
  const body = (await res.json()) as { cycles_started: string[] };
  expect(body.cycles_started).toHaveLength(1);
  const cycle = await h.settle(body.cycles_started[0]!);
  return { cycle, report: CycleReportSchema.parse(cycle.report) };
}

/** Every tool result follows the policy decision of the same call, and the chain verifies. */
async function expectAuditedInOrder(h: Harness, cycleId: string) {
  const rows: AuditRow[] = await h.ap.store.audit.list({ cycleId, limit: 5000 });
  const kinds = rows.map((r) => r.kind);
  expect(kinds[0]).toBe("cycle_started");
  expect(kinds.at(-1)).toBe("cycle_finished");
  const results = rows.filter((r) => r.kind === "tool_result");
  expect(results.length).toBeGreaterThan(10);
  for (const result of results) {
    const hash = (result.data as { call_hash: string }).call_hash;
    const decision = rows.find((r) => r.kind === "policy_decision" && (r.data as { call_hash?: string }).call_hash === hash);
    expect(decision, `decision for ${result.tool}`).toBeDefined();
    expect(Number(decision!.seq)).toBeLessThan(Number(result.seq));
    expect(decision!.decision).toBe("allow");
  }
  expect(await h.ap.store.audit.verify()).toMatchObject({ ok: true });
}

describe("a cycle on the NDCG@10 drop scenario", () => {
  let h: Harness;
  let report: CycleReport;
  let cycleId: string;
  beforeAll(async () => {
    h = await startHarness({ scenario: "ndcg-drop" });
    const run = await runScenario(h);
    report = run.report;
    cycleId = run.cycle.id;
    expect(run.cycle.status).toBe("completed");
  });
  afterAll(async () => h?.close());

  it("ends promoted with the new model serving all traffic and NDCG@10 recovered", async () => {
    expect(report.outcome).toBe("promoted");
    const state = h.ap.platform.sandbox!.state();
    expect(state.serving.champion.version).toBe("2");
    expect(state.serving.canary).toBeNull();
    expect(state.metrics.ndcg_at_10).toBeGreaterThan(h.scenario.baseline.ndcg_at_10 * 0.99);
    expect(state.metrics.latency_p95_seconds).toBeLessThan(1);
  });

  it("leaves every system consistent: registry alias, GitOps values, DVC files", async () => {
    const { mlflow, gitops, dvc } = h.ap.platform.clients;
    expect((await mlflow.getModelVersionByAlias("search-reranker", "champion"))?.version).toBe("2");
    expect(await gitops.readValues("search", "production")).toMatchObject({ model: { version: "2" }, canary: { enabled: false } });
    expect(existsSync(path.join(dvc.root, "datasets", "search-relevance-augmented.dvc"))).toBe(true);
    const lock = readFileSync(path.join(dvc.root, "dvc.lock"), "utf8");
    expect(lock).toContain("augment-search-relevance:");
    expect(await dvc.status("datasets/search-relevance-augmented")).toBe("unchanged");
  });

  it("reports the trigger, every action with its ids, the artifacts and a rollback target", () => {
    expect(report.cycle_id).toBe(cycleId);
    expect(report.cycle_id).toMatch(/^si_2026_11_20_\d{3}$/);
    expect(report.environment).toBe("production");
    expect(report.trigger).toMatchObject({ type: "ndcg_drop", baseline: 0.72, service: "search" });
    expect(report.trigger.value).toBeLessThan(0.72 * 0.97);
    const ids = Object.assign({}, ...report.actions.map((a) => a.artifacts)) as Record<string, string>;
    expect(ids.dvc_hash).toMatch(/^[0-9a-f]{32}\.dir$/);
    expect(ids.mlflow_run_id).toMatch(/^[0-9a-f]+$/);
    expect(ids.model_version).toBe("2");
    expect(ids.argocd_revision).toMatch(/^[0-9a-f]{40}$/);
    expect(report.actions.map((a) => a.type)).toEqual(expect.arrayContaining(["monitor", "diagnose", "augment", "train", "evaluate", "ab_test", "promote", "watch"]));
    expect(report.actions.every((a) => a.status === "success" && a.decision === "allow")).toBe(true);
    expect(report.artifacts.map((a) => a.kind)).toEqual(
      expect.arrayContaining(["diagnostic_report", "dataset_manifest", "evaluation_results", "helm_values_patch", "ab_test_results", "watch_report"]),
    );
    expect(report.rollback_available).toBe(true);
    expect(report.approver).toBeNull();
    expect(report.model).toBe("runbook");
    expect(report.total_cost).toBe(0);
  });

  it("audits every decision before its tool runs, on an intact hash chain", async () => expectAuditedInOrder(h, cycleId));

  it("replays every logged decision to the same answer and the same determining policies", async () => {
    const rows = await h.ap.store.audit.list({ cycleId, limit: 5000 });
    const decisions = rows.filter((r) => r.kind === "policy_decision");
    expect(decisions.length).toBeGreaterThan(10);
    for (const row of decisions) {
      const logged = row.data as { request: PolicyRequest; policies: string[]; hard_stop: boolean };
      const replayed = h.ap.engine.decide(logged.request);
      expect(replayed.outcome, row.tool ?? "").toBe(row.decision);
      expect(replayed.policies).toEqual(logged.policies);
      expect(replayed.hardStop).toBe(logged.hard_stop);
    }
  });

  it("serves the report, the audit trail and the artifacts over the API to a viewer only", async () => {
    expect((await h.api("GET", `/api/v1/cycles/${cycleId}`)).status).toBe(401);
    const res = await h.api("GET", `/api/v1/cycles/${cycleId}`, h.tokens.viewer);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { cycle: { status: string; outcome: string }; report: { cycle_id: string } };
    expect(body.cycle).toMatchObject({ status: "completed", outcome: "promoted" });
    expect(body.report.cycle_id).toBe(cycleId);
    const artifacts = (await (await h.api("GET", `/api/v1/cycles/${cycleId}/artifacts`, h.tokens.viewer)).json()) as { artifacts: Array<{ id: string; kind: string }> };
    const patch = artifacts.artifacts.find((a) => a.kind === "helm_values_patch")!;
    const content = (await (await h.api("GET", `/api/v1/artifacts/${patch.id}`, h.tokens.viewer)).json()) as { content: string };
    expect(content.content).toContain("weight: 20");
    const listed = (await (await h.api("GET", "/api/v1/cycles?status=completed", h.tokens.viewer)).json()) as { cycles: Array<{ id: string }> };
    expect(listed.cycles.map((c) => c.id)).toContain(cycleId);
    expect((await h.api("GET", "/api/v1/cycles/not-an-id", h.tokens.viewer)).status).toBe(400);
  });
});

describe("a cycle on the bad-deploy scenario", () => {
  let h: Harness;
  let report: CycleReport;
  beforeAll(async () => {
    h = await startHarness({ scenario: "bad-deploy" });
    report = (await runScenario(h)).report;
  });
  afterAll(async () => h?.close());

  it("rolls the degraded deploy back: the old model serves, latency recovers, the champion alias is restored", async () => {
    expect(report.outcome).toBe("rolled_back");
    const state = h.ap.platform.sandbox!.state();
    expect(state.serving.champion.version).toBe("1");
    expect(state.metrics.latency_p95_seconds).toBeLessThan(1);
    expect((await h.ap.platform.clients.mlflow.getModelVersionByAlias("search-reranker", "champion"))?.version).toBe("1");
    expect(await h.ap.platform.clients.gitops.readValues("search", "production")).toMatchObject({ model: { version: "1" } });
  });

  it("records why: the watch breach, the rollback action and no rollback left to do", async () => {
    expect(report.outcome_reason).toContain("search:latency_p95_seconds");
    const watch = report.findings.watch as { degraded: boolean; breaches: Array<{ metric: string; value: number }> };
    expect(watch.degraded).toBe(true);
    expect(watch.breaches[0]!.value).toBeGreaterThan(1);
    expect(report.actions.map((a) => a.tool)).toContain("argocd_rollback_application");
    expect(report.rollback_available).toBe(false);
    await expectAuditedInOrder(h, report.cycle_id);
  });
});
