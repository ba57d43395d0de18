import { describe, expect, it } from "vitest";
import { DEFAULT_TRIGGER_CONTRACT, isRollbackBreached, isTriggered, parseTriggerContract, withGateOverrides } from "./trigger-contract.js";
import { segmentMetric } from "./service-catalog.js";
import { formatCycleId, cycleDay, isCycleId } from "./cycle-id.js";

describe("trigger contract", () => {
  it("fires an NDCG drop at 3% under baseline and not before", () => {
    const rule = DEFAULT_TRIGGER_CONTRACT.signals.ndcg_drop.trigger;
    expect(isTriggered(rule, 0.72 * 0.97, 0.72)).toBe(true);
    expect(isTriggered(rule, 0.72 * 0.98, 0.72)).toBe(false);
    expect(isTriggered(rule, 0.5, undefined)).toBe(false);
  });
  it("fires latency over 800 ms and rolls back over 1000 ms", () => {
    const c = DEFAULT_TRIGGER_CONTRACT.signals.latency_p95;
    expect(isTriggered(c.trigger, 0.81, undefined)).toBe(true);
    expect(isTriggered(c.trigger, 0.8, undefined)).toBe(false);
    expect(isRollbackBreached(c.rollback, 1.01, 0.5)).toBe(true);
    expect(isRollbackBreached(c.rollback, 0.99, 0.5)).toBe(false);
  });
  it("rolls recall back only under the pre-deploy value minus 2%", () => {
    const rule = DEFAULT_TRIGGER_CONTRACT.signals.recall_drop.rollback;
    expect(isRollbackBreached(rule, 0.8 * 0.985, 0.8)).toBe(false);
    expect(isRollbackBreached(rule, 0.8 * 0.975, 0.8)).toBe(true);
  });
  it("merges an override over the defaults and validates it", () => {
    const c = parseTriggerContract({ abTrafficPercent: 10, signals: { ndcg_drop: { trigger: { kind: "relative_drop", fraction: 0.05 } } } });
    expect(c.abTrafficPercent).toBe(10);
    expect(c.signals.ndcg_drop.trigger).toEqual({ kind: "relative_drop", fraction: 0.05 });
    expect(c.signals.ndcg_drop.gate).toEqual(DEFAULT_TRIGGER_CONTRACT.signals.ndcg_drop.gate);
    expect(() => parseTriggerContract({ abTrafficPercent: 90 })).toThrow();
  });
  it("puts gate overrides over a configured contract, one signal's gate each, and refuses rules that do not parse", () => {
    const configured = parseTriggerContract({ abTrafficPercent: 10 });
    const rules = [{ kind: "relative_gain", metric: "recall_at_20", fraction: 0.05 }];
    const c = withGateOverrides(configured, [{ signal: "recall_drop", rules }]);
    expect(c.signals.recall_drop.gate).toEqual(rules);
    expect(c.signals.recall_drop.rollback).toEqual(configured.signals.recall_drop.rollback);
    expect(c.signals.ndcg_drop).toEqual(configured.signals.ndcg_drop);
    expect(c.abTrafficPercent).toBe(10);
    expect(configured.signals.recall_drop.gate).not.toEqual(rules);
    expect(withGateOverrides(configured, [])).toBe(configured);
    expect(() => withGateOverrides(configured, [{ signal: "recall_drop", rules: [{ kind: "nonsense" }] }])).toThrow();
  });
});

describe("names", () => {
  it("names segment metrics after Prometheus' level:metric convention", () => {
    expect(segmentMetric("search:ndcg_at_10", "topic")).toBe("search_topic:ndcg_at_10");
    expect(segmentMetric("search:ndcg_at_10:baseline", "topic")).toBe("search_topic:ndcg_at_10:baseline");
  });
  it("formats cycle ids per UTC day", () => {
    const id = formatCycleId(cycleDay(new Date("2026-11-20T23:59:59Z")), 7);
    expect(id).toBe("si_2026_11_20_007");
    expect(isCycleId(id)).toBe(true);
    expect(isCycleId("si_2026_11_20_7")).toBe(false);
    expect(() => formatCycleId("2026_11_20", 0)).toThrow();
  });
});
