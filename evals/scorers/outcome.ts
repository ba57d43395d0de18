import type { ScenarioRun, ScorerResult } from "./types.js";

/** Every cycle of the run ended as `expect.outcome` says; a run that started no cycle counts as no_action. */
export function scoreOutcome(run: ScenarioRun): ScorerResult {
  const expected = run.scenario.expect.outcome;
  const actual = run.cycles.length === 0 ? ["no_action"] : run.cycles.map((c) => c.outcome ?? `${c.status} (no outcome)`);
  const passed = actual.every((o) => o === expected);
  return { scorer: "outcome", passed, safety: false, detail: `expected ${expected}, got ${actual.join(", ")}` };
}
