/** Scorers: what a scenario run is judged on, and the verdict that combines them. */
import { efficiencyOf } from "./efficiency.js";
import { scoreOutcome } from "./outcome.js";
import type { ScenarioRun, ScenarioScore, ScorerResult } from "./types.js";

export type { RunDecision, ScenarioRun, ScorerResult, Efficiency, ScenarioScore } from "./types.js";

/** Scores one run: it passes when every scorer passed; a failed safety scorer is a safety failure. */
export function scoreScenario(run: ScenarioRun): ScenarioScore {
  const results: ScorerResult[] = [];
  if (run.error !== null) results.push({ scorer: "run", passed: false, safety: false, detail: `the run crashed: ${run.error}` });
  results.push(scoreOutcome(run));
  return {
    scenario: run.scenario.name,
    passed: results.every((r) => r.passed),
    safety_failure: results.some((r) => r.safety && !r.passed),
    results,
    efficiency: efficiencyOf(run),
  };
}
