import { afterEach, describe, expect, it } from "vitest";
import { CycleReportSchema, type CycleReport } from "../graphs/index.js";
import { loadScenario } from "../evals/sandbox/index.js";
import { startHarness, type Harness } from "./testing/harness.js";

/**
 * A system that is down, slow or answers garbage: every call of the failing tool ends in an error
 * outcome that names the system, the request and the upstream problem; the cycle retries the step
 * within its budget, then ends escalated with that cause in its report, and nothing is deployed.
 */

interface FaultCase {
  scenario: string;
  env?: Record<string, string>;
  /** The step the fault stops, and the tool that fails in it. */
  step: string;
  tool: string;
  /** What the tool's error says: the system, the request and the upstream problem. */
  cause: string;
  /**
   * Attempts of the failing step: the loop gives a step two (DEFAULT_LIMITS.maxStepAttempts) when the
   * error is retryable (network, timeout, 5xx), one when retrying cannot fix it (an answer that is not
   * the system's contract). A task does not retry a failed call itself: the retry is the loop's,
   * after a backoff.
   */
  attempts: number;
  /** Tools other than the failing one whose calls may fail too (the same system, later). */
  alsoFailing?: string[];
  /** What else must hold in this world. */
  also?: (report: CycleReport, h: Harness) => Promise<void>;
}

/** Git still says what served before the cycle. */
async function gitUntouched(h: Harness): Promise<void> {
  expect(await h.ap.platform.clients.gitops.readValues("search", "production")).toMatchObject({ model: { version: "1" }, canary: { enabled: false } });
}

const CASES: FaultCase[] = [
  {
    scenario: "ndcg-drop-h2o-outage",
    step: "train",
    tool: "h2o_train_model",
    cause: "h2o: POST /3/ImportFiles answered 503: Service Unavailable",
    attempts: 2,
    also: async (report, h) => {
      // The data was augmented; no candidate was registered and nothing downstream was touched.
      expect(report.findings.dataset).toBeDefined();
      expect(report.findings.candidate).toBeUndefined();
      expect(report.actions.some((a) => /^(mlflow|gitops|argocd)_/.test(a.tool))).toBe(false);
      await gitUntouched(h);
    },
  },
  {
    scenario: "ndcg-drop-mlflow-proxy-page",
    step: "train",
    tool: "mlflow_register_candidate",
    cause: "mlflow: POST /api/2.0/mlflow/experiments/create answered non-JSON: <html><head><title>502 Bad Gateway</title>",
    attempts: 1,
    also: async (report, h) => {
      // A garbage answer is not retried: the cause is named at once, after the one training.
      const train = report.actions.filter((a) => a.step === "train").map((a) => a.tool);
      for (const [i, tool] of train.entries()) if (tool === "mlflow_register_candidate") expect(train[i - 1]).toBe("h2o_train_model");
      expect(report.findings.candidate).toBeUndefined();
      await gitUntouched(h);
    },
  },
  {
    scenario: "ndcg-drop-argocd-slow",
    // The sandbox answers after 2 s; the clients give up after 500 ms.
    env: { HTTP_TIMEOUT_MS: "500" },
    step: "ab_test.canary",
    tool: "argocd_sync_application",
    cause: "argocd: GET /api/v1/applications/search timed out after 500 ms",
    attempts: 2,
    // Rolling Git back first asks Argo CD what serves, which times out as well.
    alsoFailing: ["argocd_get_application"],
    also: async (report, h) => {
      // The candidate got through its gate; only the canary's deploy failed.
      expect(report.findings.evaluation).toMatchObject({ passed: true });
      // The canary's values were committed, never deployed: Git is restored to what serves, without Argo CD.
      expect(report.steps.filter((s) => s.status === "done").map((s) => s.step)).toEqual(["monitor", "diagnose", "augment", "train", "evaluate", "rollback.git"]);
      expect(report.outcome_reason).toMatch(/Git was restored to the values that serve \([0-9a-f]{7,}\)/);
      await gitUntouched(h);
    },
  },
  {
    scenario: "ndcg-drop-prometheus-outage",
    step: "monitor",
    tool: "prometheus_get_signal",
    cause: "prometheus: POST /api/v1/query answered 503: Service Unavailable",
    attempts: 2,
    also: async (report, h) => {
      // The signal was never confirmed, so nothing else was done.
      expect(new Set(report.actions.map((a) => a.tool))).toEqual(new Set(["prometheus_get_signal"]));
      expect(report.steps.map((s) => s.step)).toEqual(["monitor", "monitor"]);
      await gitUntouched(h);
    },
  },
];

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function run(c: FaultCase): Promise<{ report: CycleReport; h: Harness }> {
  h = await startHarness({ scenario: c.scenario, env: c.env });
  const cycle = await h.runScenario();
  // The cycle ended through the loop, not by crashing.
  expect(cycle.status).toBe("completed");
  return { report: CycleReportSchema.parse(cycle.report), h };
}

describe("a system failing during a cycle", () => {
  it.each(CASES)("$scenario: $tool fails; the cycle retries what a retry can fix, then escalates with the cause", async (c) => {
    const scenario = loadScenario(c.scenario);
    const { report, h } = await run(c);

    expect(report.outcome).toBe(scenario.expect.outcome);
    expect(report.outcome).toBe("escalated");
    // The operator reads the system, the request and the upstream problem in the report.
    expect(report.outcome_reason).toContain(`${c.step} did not complete`);
    expect(report.outcome_reason).toContain(c.cause);
    const failedSteps = report.steps.filter((s) => s.step === c.step && s.status === "incomplete");
    expect(failedSteps).toHaveLength(c.attempts);
    for (const step of failedSteps) expect(step.summary).toContain(c.cause);
    // A retry waits: the second attempt starts at least the backoff (30 s) after the first ended.
    if (c.attempts === 2) expect(Date.parse(failedSteps[1]!.started_at) - Date.parse(failedSteps[0]!.ended_at)).toBeGreaterThanOrEqual(30_000);
    // The report names the failure as data too, for tools that read it.
    expect(report.failure).toMatchObject({ step: c.step, tool: c.tool, system: c.cause.split(":")[0], retryable: c.attempts === 2 });
    // The scenario file's own expectations agree.
    expect(report.outcome_reason).toContain(`${scenario.expect.failing_tool} failed`);
    expect(report.outcome_reason).toContain(`${scenario.expect.failing_system}: `);
    expect(report.outcome_reason).toContain(String(scenario.expect.cause));

    // The failing tool was called once per attempt, each an error outcome naming the cause.
    const calls = report.actions.filter((a) => a.tool === c.tool);
    expect(calls.map((a) => a.status)).toEqual(Array(c.attempts).fill("error"));
    for (const call of calls) expect(call.summary).toContain(c.cause);
    const otherErrors = report.actions.filter((a) => a.status === "error" && a.tool !== c.tool).map((a) => a.tool);
    expect(otherErrors.filter((t) => !c.alsoFailing?.includes(t))).toEqual([]);

    // Nothing was deployed: the champion serves all traffic and Argo CD's history is as it was.
    const state = h.ap.platform.sandbox!.state();
    expect(state.serving).toEqual({ champion: { version: "1", model: "search-reranker-v1" }, canary: null, canary_weight: 0 });
    expect(state.argocd.history.map((e) => e.id)).toEqual([1]);
    expect(report.findings.deployment).toBeUndefined();
    expect(report.rollback_available).toBe(false);
    await c.also?.(report, h);
  });
});
