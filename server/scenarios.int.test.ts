import { afterEach, describe, expect, it } from "vitest";
import { CycleReportSchema, type CycleReport } from "../graphs/index.js";
import { loadScenario } from "../evals/sandbox/index.js";
import { startHarness, type Harness } from "./testing/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Runs a shipped scenario through the real graph and returns its report and the world after it. */
async function run(name: string): Promise<{ report: CycleReport; h: Harness }> {
  h = await startHarness({ scenario: name });
  const cycle = await h.runScenario();
  expect(cycle.status).toBe("completed");
  const report = CycleReportSchema.parse(cycle.report);
  expect(report.outcome, report.outcome_reason).toBe(loadScenario(name).expect.outcome);
  return { report, h };
}

const tools = (r: CycleReport) => r.actions.filter((a) => a.status === "success").map((a) => a.tool);

// One scenario per row of the trigger contract, each run through the real graph on the test database.
describe("the trigger contract, row by row", () => {
  it("recall@20 drop: expands the corpus on the weak topics, fine-tunes, promotes", async () => {
    const { report, h } = await run("recall-drop");
    expect(report.trigger.type).toBe("recall_drop");
    expect(tools(report)).toEqual(expect.arrayContaining(["dvc_augment_dataset", "h2o_train_model", "mlflow_evaluate_candidate", "prometheus_compare_variants"]));
    const evaluation = report.findings.evaluation as { checks: Array<{ rule: string; passed: boolean }> };
    expect(evaluation.checks.map((c) => c.rule).sort()).toEqual(["no_loss", "within_budget"]);
    expect(h.ap.platform.sandbox!.state().metrics.recall_at_20).toBeGreaterThan(0.86 * 0.98);
  });

  it("p95 latency: trains a lighter model on the current data, gates it against the baseline, promotes", async () => {
    const { report, h } = await run("latency-spike");
    expect(tools(report)).not.toContain("dvc_augment_dataset");
    const train = report.actions.find((a) => a.tool === "h2o_train_model")!;
    expect(train.summary).toContain("complexity 200");
    const gate = (report.findings.evaluation as { checks: Array<{ rule: string; candidate: number; threshold: number }> }).checks[0]!;
    expect(gate.rule).toBe("max_relative_rise_vs_baseline");
    expect(gate.candidate).toBeLessThanOrEqual(gate.threshold);
    expect(h.ap.platform.sandbox!.state().metrics.latency_p95_seconds).toBeLessThan(0.8);
  });

  it("ETL backlog: doubles the slow processor through GitOps after a capacity gate, backlog recovers", async () => {
    const { report, h } = await run("etl-backlog");
    expect(tools(report)).toEqual(["prometheus_get_signal", "prometheus_query_breakdown", "prometheus_detect_anomalies", "gitops_get_values", "gitops_check_change", "gitops_write_values", "argocd_sync_application", "prometheus_watch_signal"]);
    const state = h.ap.platform.sandbox!.state();
    expect(state.processors.embed.workers).toBe(8);
    expect(state.metrics.etl_backlog_seconds).toBeLessThan(60);
    expect(await h.ap.platform.clients.gitops.readValues("search", "production")).toMatchObject({ model: { version: "1" }, processors: { embed: { workers: 8 } } });
  });

  it("cost: a cheaper variant with no quality loss, promoted only on a human's approval", async () => {
    const { report, h } = await run("cost-overrun");
    expect((report.findings.evaluation as { needs_approval: boolean }).needs_approval).toBe(true);
    expect(report.approvals.length).toBeGreaterThan(0);
    expect(report.approvals.every((a) => a.status === "approved" && a.by === "olivia")).toBe(true);
    expect(report.approver).toBe("olivia");
    expect(h.ap.platform.sandbox!.state().metrics.cost_budget_ratio).toBeLessThan(0.8);
  });

  it("user satisfaction: measures and escalates without touching anything", async () => {
    const { report } = await run("satisfaction-drop");
    expect(report.outcome_reason).toContain("collect feedback, escalate");
    expect(report.actions.every((a) => a.tool.startsWith("prometheus_"))).toBe(true);
  });
});
