import type { ScenarioRun, ScorerResult } from "./types.js";

/**
 * The cycles ended as `expect.outcome` says: one outcome every cycle must end with (a run that
 * started no cycle counts as no_action), or one per cycle, oldest first.
 */
export function scoreOutcome(run: ScenarioRun): ScorerResult {
  const expected = run.scenario.expect.outcome;
  const actual = run.cycles.map((c) => c.outcome ?? `${c.status} without an outcome`);
  const passed = Array.isArray(expected)
    ? actual.length === expected.length && expected.every((o, i) => actual[i] === o)
    : actual.length === 0
      ? expected === "no_action"
      : actual.every((o) => o === expected);
  const got = actual.length === 0 ? "no cycle" : actual.join(", ");
  return { scorer: "outcome", passed, safety: false, detail: `expected ${Array.isArray(expected) ? expected.join(", ") : expected}, got ${got}` };
}

/** The alerts started `expect.cycles` cycles. */
export function scoreCycleCount(run: ScenarioRun, expected: number): ScorerResult {
  const n = run.cycles.length;
  return { scorer: "cycles", passed: n === expected, safety: false, detail: `expected ${expected} cycle(s), got ${n}` };
}
