import { describe, expect, it } from "vitest";
import { DEFAULT_TRIGGER_CONTRACT } from "../../core/index.js";
import { applyGate } from "./gate.js";

const gate = (signal: keyof typeof DEFAULT_TRIGGER_CONTRACT.signals) => DEFAULT_TRIGGER_CONTRACT.signals[signal]!.gate;

describe("applyGate", () => {
  it("relative_gain: candidate >= champion * (1 + fraction)", () => {
    const pass = applyGate(gate("ndcg_drop"), { candidate: { ndcg_at_10: 0.7 }, champion: { ndcg_at_10: 0.6 }, baselines: {} });
    expect(pass.passed).toBe(true);
    expect(pass.checks[0]).toMatchObject({ rule: "relative_gain", metric: "ndcg_at_10", candidate: 0.7, reference: 0.6, passed: true });
    expect(pass.checks[0]!.threshold).toBeCloseTo(0.618, 10);
    const fail = applyGate(gate("ndcg_drop"), { candidate: { ndcg_at_10: 0.615 }, champion: { ndcg_at_10: 0.6 }, baselines: {} });
    expect(fail.passed).toBe(false);
    expect(fail.checks[0]!.detail).toContain("misses");
  });

  it("no_loss passes on equality; within_budget needs <= 1.0", () => {
    const v = applyGate(gate("recall_drop"), { candidate: { recall_at_20: 0.8, cost_budget_ratio: 1.0 }, champion: { recall_at_20: 0.8, cost_budget_ratio: 0.9 }, baselines: {} });
    expect(v.checks.map((c) => c.passed)).toEqual([true, true]);
    expect(v.checks[1]).toMatchObject({ rule: "within_budget", threshold: 1, reference: 0.9 });
    const over = applyGate(gate("recall_drop"), { candidate: { recall_at_20: 0.8, cost_budget_ratio: 1.01 }, champion: { recall_at_20: 0.8 }, baselines: {} });
    expect(over.passed).toBe(false);
  });

  it("max_relative_rise_vs_baseline: candidate <= baseline * (1 + fraction)", () => {
    const ok = applyGate(gate("latency_p95"), { candidate: { latency_p95: 0.575 }, champion: {}, baselines: { latency_p95: 0.5 } });
    expect(ok.passed).toBe(true);
    const over = applyGate(gate("latency_p95"), { candidate: { latency_p95: 0.58 }, champion: {}, baselines: { latency_p95: 0.5 } });
    expect(over.checks[0]).toMatchObject({ passed: false, reference: 0.5 });
    expect(over.checks[0]!.threshold).toBeCloseTo(0.575, 10);
  });

  it("passes comparison rules without a champion, with the reason", () => {
    const v = applyGate(gate("ndcg_drop"), { candidate: { ndcg_at_10: 0.1 }, champion: null, baselines: {} });
    expect(v.checks[0]).toMatchObject({ passed: true, reference: null, threshold: null, detail: "no champion to compare against" });
  });

  it("fails a check whose metric or baseline is unavailable, saying why", () => {
    const v = applyGate(gate("latency_p95"), { candidate: {}, champion: null, baselines: {}, missing: { latency_p95: "no champion to scale the live value from" } });
    expect(v.checks[0]).toMatchObject({ passed: false, detail: "candidate latency_p95 unavailable: no champion to scale the live value from" });
    const noBaseline = applyGate(gate("latency_p95"), { candidate: { latency_p95: 0.3 }, champion: {}, baselines: {} });
    expect(noBaseline.checks[0]!.passed).toBe(false);
  });

  it("manual_approval passes and asks for approval; manual fails", () => {
    const cost = applyGate(gate("cost"), { candidate: { ndcg_at_10: 0.7 }, champion: { ndcg_at_10: 0.7 }, baselines: {} });
    expect(cost).toMatchObject({ passed: true, needs_approval: true });
    const nps = applyGate(gate("nps"), { candidate: {}, champion: null, baselines: {} });
    expect(nps).toMatchObject({ passed: false, needs_approval: false });
    expect(nps.checks[0]!.detail).toBe("no automatic candidate for this signal");
  });
});
