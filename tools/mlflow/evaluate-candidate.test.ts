import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EvaluationFinding, type Signal } from "../../core/index.js";
import { mlflowEvaluateCandidate } from "./evaluate-candidate.js";
import { mlflowToolSetup, writeEvalDataset } from "./testing/tool-setup.js";

const dataset = writeEvalDataset();
afterAll(() => rmSync(dirname(dataset), { recursive: true, force: true }));
const P95 = 'search:latency_p95_seconds{service="search",variant=~"all|"}';
const P95_BASELINE = 'search:latency_p95_seconds:baseline{service="search"}';
const COST = 'search:cost_budget_ratio{service="search"}';

/** Champion and candidate H2O models: "weak" ranks in reverse (NDCG@10 0.4349), the others exactly (1.0). */
function world(opts: { champion?: string | null; candidate: string; prometheus?: Record<string, number> }) {
  const setup = mlflowToolSetup({ prometheus: opts.prometheus });
  setup.h2oFake.addModel("gbm_weak", { ntrees: 50, maxDepth: 5 }); // complexity 250
  setup.h2oFake.addModel("gbm_strong", { ntrees: 50, maxDepth: 5 }); // 250
  setup.h2oFake.addModel("gbm_light", { ntrees: 20, maxDepth: 5 }); // 100
  setup.h2oFake.addModel("gbm_heavy", { ntrees: 60, maxDepth: 5 }); // 300
  const champion = opts.champion ? setup.mlflowFake.seedVersion("search-reranker", { h2oModelId: opts.champion, aliases: ["champion"] }) : null;
  const candidate = setup.mlflowFake.seedVersion("search-reranker", { h2oModelId: opts.candidate, aliases: ["candidate"] });
  return { ...setup, champion, candidate };
}

async function evaluate(w: ReturnType<typeof world>, signal: Signal) {
  const input = mlflowEvaluateCandidate.input.parse({ signal, service: "search", model_name: "search-reranker", candidate_version: w.candidate.version, eval_dataset_path: dataset });
  const outcome = await mlflowEvaluateCandidate.run(input, w.ctx);
  if (outcome.status !== "success") throw new Error(`expected success, got ${JSON.stringify(outcome)}`);
  return { ...outcome, finding: EvaluationFinding.parse(outcome.data) };
}

describe("mlflow_evaluate_candidate", () => {
  it("is a write, idempotent tool establishing the evaluation finding, documenting its estimates", () => {
    expect(mlflowEvaluateCandidate.flags).toMatchObject({ readOnly: false, destructive: false, idempotent: true });
    expect(mlflowEvaluateCandidate.finding).toBe("evaluation");
    expect(mlflowEvaluateCandidate.description).toContain("number_of_trees * max_depth");
    expect(mlflowEvaluateCandidate.description).toContain("search:latency_p95_seconds:baseline");
  });

  it("passes relative_gain when the candidate beats the champion by the margin, and records it", async () => {
    const w = world({ champion: "gbm_weak", candidate: "gbm_strong" });
    const { finding, summary, artifacts } = await evaluate(w, "ndcg_drop");
    expect(finding).toMatchObject({ passed: true, needs_approval: false, candidate: { version: "2" }, champion: { version: "1" } });
    expect(finding.candidate.metrics).toMatchObject({ ndcg_at_10: 1, recall_at_20: 1, complexity: 250 });
    expect(finding.champion.metrics.ndcg_at_10).toBeCloseTo(0.43488, 4);
    expect(finding.checks).toEqual([
      expect.objectContaining({ rule: "relative_gain", metric: "ndcg_at_10", candidate: 1, passed: true, reference: finding.champion.metrics.ndcg_at_10 }),
    ]);
    expect(summary).toContain("passed the gate against champion v1");

    const run = w.mlflowFake.runs.get(w.candidate.runId)!;
    expect(run.metrics.get("eval_ndcg_at_10")?.[0]?.value).toBe(1);
    expect(run.metrics.get("champion_eval_ndcg_at_10")?.[0]?.value).toBeCloseTo(0.43488, 4);
    expect(w.mlflowFake.models.get("search-reranker")!.versions.get("2")!.tags.get("autopilot.gate")).toBe("passed");
    expect(w.prometheus.queries).toEqual([]); // the ndcg gate needs no live estimate
    expect(w.h2oFake.frames.size).toBe(0); // eval and prediction frames were deleted

    expect(artifacts).toHaveLength(1);
    expect(artifacts![0]).toMatchObject({ kind: "evaluation_results", name: "evaluation-v2.json", mediaType: "application/json" });
    const report = JSON.parse(artifacts![0]!.content);
    expect(report.candidate.by_topic.fashion).toEqual({ ndcg_at_10: 1, recall_at_20: 1, queries: 2 });
    expect(report.champion.by_topic.sports.queries).toBe(2);
    expect(report.checks).toEqual(finding.checks);
  });

  it("imports eval.csv once and predicts with each model", async () => {
    const w = world({ champion: "gbm_weak", candidate: "gbm_strong" });
    await evaluate(w, "ndcg_drop");
    const paths = w.h2oFake.requests.map((r) => `${r.method} ${r.path}`);
    expect(paths.filter((p) => p === "POST /3/ImportFiles")).toHaveLength(1);
    expect(w.h2oFake.requests.find((r) => r.path === "/3/ImportFiles")!.form.path).toBe(`${dataset}/eval.csv`);
    expect(paths.filter((p) => p.startsWith("POST /3/Predictions/models/gbm_strong/"))).toHaveLength(1);
    expect(paths.filter((p) => p.startsWith("POST /3/Predictions/models/gbm_weak/"))).toHaveLength(1);
  });

  it("fails relative_gain when the candidate is worse, and tags the version failed", async () => {
    const w = world({ champion: "gbm_strong", candidate: "gbm_weak" });
    const { finding, summary } = await evaluate(w, "ndcg_drop");
    expect(finding.passed).toBe(false);
    expect(finding.checks[0]).toMatchObject({ rule: "relative_gain", passed: false, reference: 1 });
    expect(finding.checks[0]!.threshold).toBeCloseTo(1.03, 10);
    expect(summary).toContain("failed the gate");
    expect(w.mlflowFake.models.get("search-reranker")!.versions.get("2")!.tags.get("autopilot.gate")).toBe("failed");
  });

  it("passes comparison checks with no champion and logs no champion metrics", async () => {
    const w = world({ champion: null, candidate: "gbm_weak" });
    const { finding } = await evaluate(w, "ndcg_drop");
    expect(finding).toMatchObject({ passed: true, champion: { version: null, metrics: {} } });
    expect(finding.checks[0]).toMatchObject({ passed: true, detail: "no champion to compare against" });
    const run = w.mlflowFake.runs.get(w.candidate.runId)!;
    expect([...run.metrics.keys()].some((k) => k.startsWith("champion_eval_"))).toBe(false);
  });

  it("passes the gate but asks for approval under manual_approval (cost)", async () => {
    const w = world({ champion: "gbm_strong", candidate: "gbm_light" });
    const { finding, summary } = await evaluate(w, "cost");
    expect(finding).toMatchObject({ passed: true, needs_approval: true });
    expect(finding.checks.map((c) => [c.rule, c.passed])).toEqual([
      ["no_loss", true],
      ["manual_approval", true],
    ]);
    expect(summary).toContain("needs a human's approval");
  });

  it("fails under manual (nps): no automatic candidate", async () => {
    const w = world({ champion: "gbm_strong", candidate: "gbm_strong" });
    const { finding } = await evaluate(w, "nps");
    expect(finding.passed).toBe(false);
    expect(finding.checks[0]!.detail).toBe("no automatic candidate for this signal");
  });

  it("passes the latency rise rule when the estimated p95 stays within the baseline margin", async () => {
    const w = world({ champion: "gbm_strong", candidate: "gbm_light", prometheus: { [P95]: 0.9, [P95_BASELINE]: 0.5 } });
    const { finding } = await evaluate(w, "latency_p95");
    // 0.9 s live * 100 / 250 = 0.36 s <= 0.5 s * 1.15
    expect(finding.candidate.metrics.latency_p95).toBeCloseTo(0.36, 10);
    expect(finding.champion.metrics.latency_p95).toBe(0.9);
    expect(finding.checks[0]).toMatchObject({ rule: "max_relative_rise_vs_baseline", metric: "latency_p95", reference: 0.5, passed: true });
    expect(finding.passed).toBe(true);
    expect(w.prometheus.queries.map((q) => q.expr)).toEqual([P95, P95_BASELINE]);
    for (const q of w.prometheus.queries) expect(q.time?.getTime()).toBe(w.ctx.clock.now().getTime());
    expect(w.mlflowFake.runs.get(w.candidate.runId)!.metrics.get("eval_latency_p95")?.[0]?.value).toBeCloseTo(0.36, 10);
  });

  it("fails the latency rise rule when a heavier model's estimate exceeds it", async () => {
    const w = world({ champion: "gbm_strong", candidate: "gbm_heavy", prometheus: { [P95]: 0.9, [P95_BASELINE]: 0.5 } });
    const { finding } = await evaluate(w, "latency_p95");
    // 0.9 * 300 / 250 = 1.08 > 0.575
    expect(finding.candidate.metrics.latency_p95).toBeCloseTo(1.08, 10);
    expect(finding.checks[0]).toMatchObject({ passed: false });
    expect(finding.checks[0]!.threshold).toBeCloseTo(0.575, 10);
    expect(finding.passed).toBe(false);
  });

  it("fails the latency rule with the reason when there is no live value", async () => {
    const w = world({ champion: "gbm_strong", candidate: "gbm_light", prometheus: { [P95_BASELINE]: 0.5 } });
    const { finding } = await evaluate(w, "latency_p95");
    expect(finding.checks[0]!.passed).toBe(false);
    expect(finding.checks[0]!.detail).toContain(`no live value of ${P95}`);
  });

  it("estimates the cost budget ratio for within_budget (recall_drop)", async () => {
    const w = world({ champion: "gbm_strong", candidate: "gbm_heavy", prometheus: { [COST]: 0.9 } });
    const { finding } = await evaluate(w, "recall_drop");
    expect(finding.checks.map((c) => [c.rule, c.passed])).toEqual([
      ["no_loss", true],
      ["within_budget", false],
    ]);
    expect(finding.candidate.metrics.cost_budget_ratio).toBeCloseTo(1.08, 10);
    expect(finding.checks[1]).toMatchObject({ reference: 0.9, threshold: 1 });
  });

  it("returns an error outcome when the version has no h2o_model_id tag or does not exist", async () => {
    const w = world({ champion: null, candidate: "gbm_strong" });
    const untagged = w.mlflowFake.seedVersion("search-reranker", {});
    const run = (v: string) =>
      mlflowEvaluateCandidate.run(
        mlflowEvaluateCandidate.input.parse({ signal: "ndcg_drop", service: "search", model_name: "search-reranker", candidate_version: v, eval_dataset_path: dataset }),
        w.ctx,
      );
    expect(await run(untagged.version)).toMatchObject({ status: "error", error: { code: "mlflow_version_untagged" } });
    expect(await run("42")).toMatchObject({ status: "error", error: { code: "mlflow_version_missing" } });
  });

  it("gives the same verdict when run twice", async () => {
    const w = world({ champion: "gbm_weak", candidate: "gbm_strong" });
    const first = await evaluate(w, "ndcg_drop");
    const second = await evaluate(w, "ndcg_drop");
    expect(second.finding).toEqual(first.finding);
  });
});
