import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CycleReportSchema, type CycleReport } from "../graphs/index.js";
import { loadScenario, type Scenario } from "../evals/sandbox/index.js";
import { startHarness, type Harness } from "./testing/harness.js";
import { startDriftCycle } from "./alerts/drift-alert.js";

// The loop retraining its own anomaly detector: an AnomalyDetectorDrift alert (the monitor raises it
// when a series' inputs drift from what its detector was trained on) starts a cycle that snapshots
// the series' recent history into a DVC dataset, trains an Isolation Forest, gates it on labelled
// held-out data against the champion and promotes it by moving the MLflow alias the monitor loads.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const DRIFT_ALERT = {
  at: "1m",
  labels: { alertname: "AnomalyDetectorDrift", signal: "detector_drift", service: "search", series_signal: "ndcg_drop", severity: "warning" },
  annotations: { summary: "inputs of the search ndcg_drop detector drifted" },
};

function driftScenario(): Scenario {
  const base = loadScenario("ndcg-drop");
  return { ...base, alerts: [DRIFT_ALERT], events: [], expect: { outcome: "promoted" } } as Scenario;
}

const tools = (r: CycleReport) => r.actions.filter((a) => a.status === "success").map((a) => a.tool);

describe("a detector drift cycle", () => {
  it("trains the series' first detector, versions its data and model, gates it and promotes it to serve the monitor", async () => {
    h = await startHarness({ scenario: driftScenario() });
    const cycle = await h.runScenario();
    expect(cycle.status).toBe("completed");
    const report = CycleReportSchema.parse(cycle.report);
    expect(report.outcome, report.outcome_reason).toBe("promoted");
    expect(tools(report)).toEqual([
      "prometheus_check_detector_drift",
      "prometheus_detect_anomalies",
      "dvc_snapshot_series",
      "mlflow_train_detector",
      "mlflow_evaluate_detector",
      "mlflow_promote_detector",
    ]);
    const dataset = report.findings.dataset as { path: string; md5: string; rows: number; examples_added: number };
    expect(dataset.path).toBe("datasets/anomaly-search-ndcg_drop");
    expect(dataset.rows).toBeGreaterThan(1000);
    expect(dataset.examples_added).toBeGreaterThanOrEqual(4);
    const evaluation = report.findings.evaluation as { passed: boolean; candidate: { metrics: { precision: number; recall: number } }; champion: { version: string | null } };
    expect(evaluation.passed).toBe(true);
    expect(evaluation.champion.version).toBeNull();
    expect(evaluation.candidate.metrics.recall).toBeGreaterThan(0.5);

    // The registry says what serves; the DVC file pins the data it was trained on.
    const mlflow = h.ap.platform.clients.mlflow;
    const champion = await mlflow.getModelVersionByAlias("anomaly-search-ndcg_drop", "champion");
    expect(champion?.version).toBe((report.findings.candidate as { version: string }).version);
    expect(champion?.tags.dvc_md5).toBe(dataset.md5);
    expect(await h.ap.platform.clients.dvc.readDvcFile(dataset.path)).toMatchObject({ md5: dataset.md5 });
  }, 120_000);

  it("ends with nothing done when the serving detector's inputs no longer drift", async () => {
    h = await startHarness({ scenario: driftScenario() });
    const first = await h.runScenario();
    expect(CycleReportSchema.parse(first.report).outcome).toBe("promoted");
    // The same alert again: the detector just trained on this very history sees no drift.
    const res = await h.webhook(h.ap.platform.sandbox!.alertPayload(0));
    const cycleId = ((await res.json()) as { cycles_started: string[] }).cycles_started[0];
    expect(cycleId, "the second alert starts a cycle").toEqual(expect.any(String));
    const second = CycleReportSchema.parse((await h.settle(cycleId!)).report);
    expect(second.outcome, second.outcome_reason).toBe("no_action");
    expect(tools(second)).toEqual(["prometheus_check_detector_drift"]);
  }, 120_000);

  it("keeps the champion serving when the retrained detector misses its gate", async () => {
    // A contract that always sees drift and asks a retrained detector for 50 % more recall than the
    // champion: retrained on the same history, the candidate cannot have it.
    const dir = await mkdtemp(path.join(tmpdir(), "contract-"));
    const file = path.join(dir, "contract.yaml");
    await writeFile(file, JSON.stringify({ signals: { detector_drift: { trigger: { kind: "above", value: -1 }, gate: [{ kind: "relative_gain", metric: "recall", fraction: 0.5 }] } } }));
    h = await startHarness({ scenario: driftScenario(), env: { TRIGGER_CONTRACT_FILE: file } });
    const first = CycleReportSchema.parse((await h.runScenario()).report);
    expect(first.outcome, first.outcome_reason).toBe("promoted");
    const v1 = (first.findings.candidate as { version: string }).version;

    const res = await h.webhook(h.ap.platform.sandbox!.alertPayload(0));
    const cycleId = ((await res.json()) as { cycles_started: string[] }).cycles_started[0]!;
    const second = CycleReportSchema.parse((await h.settle(cycleId)).report);
    expect(second.outcome).toBe("escalated");
    expect(second.outcome_reason).toContain("failed its quality gate");
    expect(tools(second)).not.toContain("mlflow_promote_detector");
    const v2 = (second.findings.candidate as { version: string }).version;
    expect(v2).not.toBe(v1);
    const champion = await h.ap.platform.clients.mlflow.getModelVersionByAlias("anomaly-search-ndcg_drop", "champion");
    expect(champion?.version).toBe(v1);
  }, 120_000);

  it("starts from the monitor's drift event through the alert intake, and a repeat of it joins the queued cycle", async () => {
    h = await startHarness({ scenario: driftScenario() });
    const first = CycleReportSchema.parse((await h.runScenario()).report);
    const version = (first.findings.candidate as { version: string }).version;
    const ap = h.ap;
    const deps = { alerts: ap.store.alerts, environment: ap.environment, now: () => ap.platform.clock.now(), groupWindowMs: 1, wake: () => ap.runner.wake() };
    const event = { environment: ap.environment, series: "search:ndcg_drop", signal: "ndcg_drop" as const, service: "search", model: { name: "anomaly-search-ndcg_drop", version }, psi: 0.41, at: ap.platform.clock.now().toISOString() };
    const [cycleId] = await startDriftCycle(deps, event);
    // The same drift again while its cycle is queued is the same alert: it starts nothing.
    expect(await startDriftCycle(deps, event)).toEqual([]);
    const row = await h.settle(cycleId!);
    expect(row.trigger).toMatchObject({ signal: "detector_drift", service: "search", labels: { series_signal: "ndcg_drop", alertname: "AnomalyDetectorDrift" } });
    // The drift the monitor saw is gone by the time the cycle checks: nothing to retrain.
    expect(CycleReportSchema.parse(row.report).outcome).toBe("no_action");
  }, 120_000);
});
