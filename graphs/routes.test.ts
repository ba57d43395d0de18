import { describe, expect, it } from "vitest";
import { DEFAULT_TRIGGER_CONTRACT, type FindingKind, type StepId } from "../core/index.js";
import { LOOP_STEPS } from "../core/index.js";
import { allowedMoves, DEFAULT_LIMITS, gitAhead, routeAfterAgent } from "./routes.js";
import { NO_USAGE, type CycleStateType, type FindingRecord, type StepRecord } from "./state.js";
import { AIMessage } from "@langchain/core/messages";
import type { FlagSnapshot } from "../policies/ports.js";
import { flagsFor } from "../policies/testing/flags.js";

const flags: FlagSnapshot = flagsFor();

function state(patch: Partial<CycleStateType> = {}): CycleStateType {
  return {
    cycleId: "si_2026_11_20_001",
    environment: "production",
    trigger: { signal: "ndcg_drop", service: "search", alertname: "SearchNdcgDrop", fingerprint: "ab", value: 0.65, baseline: 0.72, startsAt: null, labels: {}, annotations: {} },
    service: { app: "search", model: "search-reranker", dataset: "search-relevance" },
    startedAt: "2026-11-20T08:00:00.000Z",
    flags,
    task: null,
    messages: [],
    steps: [],
    findings: [],
    actions: [],
    artifacts: [],
    approvals: [],
    stops: [],
    decisions: [],
    usage: { ...NO_USAGE },
    outcome: null,
    outcomeReason: null,
    ...patch,
  };
}

const done = (step: StepId, status: StepRecord["status"] = "done"): StepRecord => ({
  step,
  phase: LOOP_STEPS[step].phase,
  agent: LOOP_STEPS[step].agent,
  attempt: 1,
  status,
  summary: `${step} ${status}`,
  startedAt: "t",
  endedAt: "t",
});
const found = (kind: FindingKind, step: StepId, data: Record<string, unknown>): FindingRecord => ({ kind, step, phase: LOOP_STEPS[step].phase, tool: "t", at: "t", data });

/** Steps and findings of an NDCG cycle that got through `upTo` (inclusive). */
function through(upTo: StepId, extra: { evaluationPassed?: boolean; abPassed?: boolean; degraded?: boolean } = {}) {
  const order: StepId[] = ["monitor", "diagnose", "augment", "train", "evaluate", "ab_test.canary", "ab_test.compare", "promote", "watch", "rollback"];
  const steps = order.slice(0, order.indexOf(upTo) + 1);
  const findings: FindingRecord[] = [];
  for (const s of steps) {
    if (s === "monitor") findings.push(found("monitor", s, { triggered: true, value: 0.65, threshold: 0.698 }));
    if (s === "diagnose") findings.push(found("diagnosis", s, { weak_segments: ["travel", "sports"] }));
    if (s === "augment") findings.push(found("dataset", s, { md5: "x.dir" }));
    if (s === "train") findings.push(found("candidate", s, { version: "2" }));
    if (s === "evaluate") findings.push(found("evaluation", s, { passed: extra.evaluationPassed ?? true, needs_approval: false, checks: [{ passed: extra.evaluationPassed ?? true, detail: "ndcg +1.0% < +3%" }] }));
    if (s === "ab_test.canary") findings.push(found("deployment", s, { canary_weight: 20, previous_history_id: 1 }));
    if (s === "ab_test.compare") findings.push(found("ab_test", s, { passed: extra.abPassed ?? true, winner: extra.abPassed === false ? "champion" : "candidate" }));
    if (s === "promote") findings.push(found("deployment", s, { canary_weight: 0, previous_history_id: 2 }));
    if (s === "watch") findings.push(found("watch", s, { degraded: extra.degraded ?? false, breaches: extra.degraded ? [{ metric: "search:latency_p95_seconds", rule: "guardrail" }] : [] }));
    if (s === "rollback") findings.push(found("rollback", s, { to_history_id: 1 }));
  }
  return { steps: steps.map((s) => done(s)), findings };
}

const first = (s: CycleStateType, f: FlagSnapshot | null = flags) => allowedMoves(s, DEFAULT_TRIGGER_CONTRACT, f, DEFAULT_LIMITS)[0]!;

describe("allowedMoves", () => {
  it("walks the NDCG loop in contract order", () => {
    const expected: Array<[StepId | null, string]> = [
      [null, "monitor"],
      ["monitor", "diagnose"],
      ["diagnose", "augment"],
      ["augment", "train"],
      ["train", "evaluate"],
      ["evaluate", "ab_test.canary"],
      ["ab_test.canary", "ab_test.compare"],
      ["ab_test.compare", "promote"],
      ["promote", "watch"],
      ["watch", "promote.baseline"],
    ];
    for (const [upTo, next] of expected) {
      const s = upTo ? state(through(upTo)) : state();
      expect(first(s)).toMatchObject({ move: "assign", step: next });
    }
    const held = through("watch");
    held.steps.push(done("promote.baseline"));
    held.findings.push(found("baseline", "promote.baseline", { version: "2", gold: true }));
    expect(first(state(held))).toMatchObject({ move: "finish", outcome: "promoted" });
  });

  it("finishes promoted when recording the baseline fails, and says to mark it by hand", () => {
    const held = through("watch");
    held.steps.push(done("promote.baseline", "incomplete"));
    const moves = allowedMoves(state(held), DEFAULT_TRIGGER_CONTRACT, flags, DEFAULT_LIMITS);
    expect(moves[0]).toMatchObject({ move: "finish", outcome: "promoted" });
    expect((moves[0] as { why: string }).why).toContain("mark it stable by hand");
    expect(moves.some((m) => m.move === "assign" && m.step === "rollback")).toBe(false);
  });

  it("records no baseline for a change that trained no model", () => {
    const held = through("watch");
    held.findings = held.findings.filter((f) => f.kind !== "candidate");
    expect(first(state(held))).toMatchObject({ move: "finish", outcome: "promoted" });
  });

  it("always offers escalation as an alternative", () => {
    const moves = allowedMoves(state(), DEFAULT_TRIGGER_CONTRACT, flags, DEFAULT_LIMITS);
    expect(moves.at(-1)).toMatchObject({ move: "finish", outcome: "escalated" });
  });

  it("skips the A/B test when the flag is off", () => {
    expect(first(state(through("evaluate")), { ...flags, abTesting: { enabled: false, splitPercent: 20 } })).toMatchObject({ step: "promote" });
  });

  it("ends with no action when the signal has recovered", () => {
    const s = state({ steps: [done("monitor")], findings: [found("monitor", "monitor", { triggered: false, value: 0.72, threshold: 0.698 })] });
    expect(first(s)).toMatchObject({ move: "finish", outcome: "no_action" });
  });

  it("escalates a candidate that fails its quality gate, naming the failed check", () => {
    const m = first(state(through("evaluate", { evaluationPassed: false })));
    expect(m).toMatchObject({ move: "finish", outcome: "escalated" });
    expect(m.why).toContain("ndcg +1.0% < +3%");
  });

  it("rolls back a degraded deploy, then finishes rolled back", () => {
    expect(first(state(through("watch", { degraded: true })))).toMatchObject({ move: "assign", step: "rollback" });
    const after = through("watch", { degraded: true });
    after.steps.push(done("rollback"));
    after.findings.push(found("rollback", "rollback", { to_history_id: 1 }));
    expect(first(state(after))).toMatchObject({ move: "finish", outcome: "rolled_back" });
  });

  it("withdraws the canary when the candidate loses the A/B test, then escalates", () => {
    const lost = through("ab_test.compare", { abPassed: false });
    expect(first(state(lost))).toMatchObject({ move: "assign", step: "rollback" });
    lost.steps.push(done("rollback"));
    lost.findings.push(found("rollback", "rollback", {}));
    expect(first(state(lost))).toMatchObject({ move: "finish", outcome: "escalated" });
  });

  it("retries an incomplete step once, then gives up", () => {
    const once = through("train");
    once.steps.push(done("evaluate", "incomplete"));
    expect(first(state(once))).toMatchObject({ move: "assign", step: "evaluate" });
    once.steps.push({ ...done("evaluate", "incomplete"), attempt: 2 });
    expect(first(state(once))).toMatchObject({ move: "finish", outcome: "escalated" });
  });

  it("retries a step a system failed on after a backoff that doubles, and never retries an answer retrying cannot fix", () => {
    const down = { tool: "h2o_train_model", code: "upstream_http_503", message: "h2o: POST /3/ImportFiles answered 503", system: "h2o", retryable: true };
    const once = through("augment");
    once.steps.push({ ...done("train", "incomplete"), failure: down });
    expect(first(state(once))).toMatchObject({ move: "assign", step: "train", delayMs: DEFAULT_LIMITS.retryBackoffMs });
    const limits = { ...DEFAULT_LIMITS, maxStepAttempts: 3 };
    once.steps.push({ ...done("train", "incomplete"), attempt: 2, failure: down });
    expect(allowedMoves(state(once), DEFAULT_TRIGGER_CONTRACT, flags, limits)[0]).toMatchObject({ step: "train", delayMs: 2 * DEFAULT_LIMITS.retryBackoffMs });

    const garbage = through("augment");
    garbage.steps.push({ ...done("train", "incomplete"), failure: { ...down, tool: "mlflow_register_candidate", system: "mlflow", code: "upstream_garbage", retryable: false } });
    const moves = allowedMoves(state(garbage), DEFAULT_TRIGGER_CONTRACT, flags, DEFAULT_LIMITS);
    expect(moves[0]).toMatchObject({ move: "finish", outcome: "escalated" });
    expect(moves[0]!.why).toContain("mlflow gave an answer retrying cannot fix");
    // A step that ended without a tool error (the model gave up) is retried at once.
    const gaveUp = through("augment");
    gaveUp.steps.push(done("train", "incomplete"));
    expect(first(state(gaveUp))).not.toHaveProperty("delayMs");
  });

  it("restores Git when a commit of this cycle never deployed, then escalates with the cause", () => {
    const s = through("evaluate");
    const write = { app: "search", environment: "production", revision: "c0ffee1", previous_revision: "abc1234", changed: true, restored_from: null };
    s.findings.push(found("git_change", "ab_test.canary", write));
    s.steps.push({ ...done("ab_test.canary", "incomplete"), summary: "Sync did not complete: argocd timed out", failure: { tool: "argocd_sync_application", code: "upstream_timeout", message: "timed out", system: "argocd", retryable: true } });
    s.steps.push({ ...done("ab_test.canary", "incomplete"), attempt: 2, summary: "Sync did not complete: argocd timed out" });
    expect(gitAhead(state(s))).toEqual({ revision: "c0ffee1", before: "abc1234" });
    expect(first(state(s))).toMatchObject({ move: "assign", step: "rollback.git" });

    const restored = { ...s, steps: [...s.steps, done("rollback.git")], findings: [...s.findings, found("git_change", "rollback.git", { ...write, revision: "d00d001", previous_revision: "c0ffee1", restored_from: "abc1234" })] };
    expect(gitAhead(state(restored))).toBeNull();
    const end = first(state(restored));
    expect(end).toMatchObject({ move: "finish", outcome: "escalated" });
    expect(end.why).toContain("ab_test.canary did not complete (Sync did not complete: argocd timed out)");
    expect(end.why).toContain("Git was restored to the values that serve (d00d001)");

    const failed = { ...s, steps: [...s.steps, done("rollback.git", "incomplete")] };
    const manual = first(state(failed));
    expect(manual).toMatchObject({ move: "finish", outcome: "escalated" });
    expect(manual.why).toContain("Git may still hold values that never deployed (c0ffee1)");
  });

  it("sees no Git drift when the written revision was deployed, or nothing was committed", () => {
    const write = { app: "search", environment: "production", revision: "c0ffee1", previous_revision: "abc1234", changed: true, restored_from: null };
    const deployed = state({ findings: [found("git_change", "ab_test.canary", write), found("deployment", "ab_test.canary", { revision: "c0ffee1" })] });
    expect(gitAhead(deployed)).toBeNull();
    expect(gitAhead(state({ findings: [found("git_change", "ab_test.canary", { ...write, changed: false, revision: "abc1234" })] }))).toBeNull();
  });

  it("does not retry a step the policy denied, and rolls back what was deployed", () => {
    const s = through("ab_test.compare");
    s.steps.push(done("promote", "incomplete"));
    const moves = allowedMoves(state({ ...s, stops: [{ tool: "argocd_sync_application", step: "promote", reasons: ["change freeze"], hardStop: false, at: "t" }] }), DEFAULT_TRIGGER_CONTRACT, flags, DEFAULT_LIMITS);
    expect(moves[0]).toMatchObject({ move: "assign", step: "rollback" });
    expect(moves[0]!.why).toContain("change freeze");
  });

  it("withdraws what was deployed when a human rejects the promotion, then escalates with the reason", () => {
    const s = through("ab_test.compare");
    s.steps.push(done("promote", "incomplete"));
    const stops = [{ tool: "gitops_write_values", step: "promote" as const, reasons: ["olivia rejected gitops_write_values: not today"], hardStop: false, at: "t" }];
    expect(first(state({ ...s, stops }))).toMatchObject({ move: "assign", step: "rollback" });
    s.steps.push(done("rollback"));
    s.findings.push(found("rollback", "rollback", {}));
    const end = first(state({ ...s, stops }));
    expect(end).toMatchObject({ move: "finish", outcome: "escalated" });
    expect(end.why).toContain("olivia rejected gitops_write_values: not today");
  });

  it("ends a cycle whose step completed before a human refused its last call, withdrawing the deploy, with the reason", () => {
    // The promotion synced (its finding is recorded) and then the champion alias move was refused.
    const s = through("promote");
    const refusal = { sequence: 20, phase: "promote" as const, step: "promote" as const, agent: "devops" as const, tool: "mlflow_set_model_alias", status: "rejected" as const, decision: "require_approval" as const, reasons: ["olivia rejected mlflow_set_model_alias: not before the release"], summary: "olivia rejected mlflow_set_model_alias: not before the release", startedAt: "t", durationSec: 0, ids: {} };
    const stops = [{ tool: "mlflow_set_model_alias", step: "promote" as const, reasons: [refusal.summary], hardStop: false, at: "t" }];
    expect(first(state({ ...s, actions: [refusal], stops }))).toMatchObject({ move: "assign", step: "rollback" });
    s.steps.push(done("rollback"));
    s.findings.push(found("rollback", "rollback", {}));
    const end = first(state({ ...s, actions: [refusal], stops }));
    expect(end).toMatchObject({ move: "finish", outcome: "escalated" });
    expect(end.why).toContain("olivia rejected mlflow_set_model_alias: not before the release");
  });

  it("ends at once on a hard stop (kill switch)", () => {
    const s = state({ ...through("train"), stops: [{ tool: "h2o_train_model", step: "train", reasons: ["kill switch is on"], hardStop: true, at: "t" }] });
    const moves = allowedMoves(s, DEFAULT_TRIGGER_CONTRACT, flags, DEFAULT_LIMITS);
    expect(moves).toHaveLength(1);
    expect(moves[0]).toMatchObject({ move: "finish", outcome: "escalated" });
    expect(moves[0]!.why).toContain("kill switch");
  });

  it("escalates alerts with no signal or an unknown service without touching anything", () => {
    expect(first(state({ trigger: { ...state().trigger, signal: null, alertname: "DiskFull" } }))).toMatchObject({ outcome: "escalated" });
    expect(first(state({ service: null }))).toMatchObject({ outcome: "escalated" });
  });

  it("escalates NPS drops after diagnosis, as the contract says", () => {
    const s = state({ trigger: { ...state().trigger, signal: "nps" }, steps: [done("monitor"), done("diagnose")], findings: [found("monitor", "monitor", { triggered: true })] });
    const m = first(s);
    expect(m).toMatchObject({ move: "finish", outcome: "escalated" });
    expect(m.why).toContain("collect feedback, escalate");
  });

  it("stops a cycle that spent its budget, rolling back what it deployed", () => {
    const s = state({ ...through("promote"), usage: { ...NO_USAGE, costUsd: 6 } });
    expect(first(s)).toMatchObject({ move: "assign", step: "rollback" });
  });
});

describe("routeAfterAgent", () => {
  const task = { step: "monitor" as const, phase: "monitor" as const, agent: "metrics-analyst" as const, instructions: "", attempt: 1, startedAt: "t", modelCalls: 0 };
  it("goes to tools when the model called one, else back to the supervisor", () => {
    expect(routeAfterAgent({ task, messages: [new AIMessage({ content: "", tool_calls: [{ id: "1", name: "x", args: {} }] })] })).toBe("tools");
    expect(routeAfterAgent({ task, messages: [new AIMessage("done")] })).toBe("supervisor");
    expect(routeAfterAgent({ task: null, messages: [] })).toBe("supervisor");
  });
});
