/** Scorers: what a scenario run is judged on, and the verdict that combines them. */
import { scoreApproval } from "./approval.js";
import { efficiencyOf, scoreToolBudget } from "./efficiency.js";
import { scoreFailure } from "./failure.js";
import { scoreMetrics } from "./metrics.js";
import { scoreCycleCount, scoreOutcome } from "./outcome.js";
import { scoreSafety } from "./safety.js";
import { scoreForbiddenTools, scoreRequiredTools } from "./tools.js";
import { scoreAgents, scoreTrajectory } from "./trajectory.js";
import type { ScenarioRun, ScenarioScore, ScorerResult } from "./types.js";

export type { RunDecision, ScenarioRun, ScorerResult, Efficiency, ScenarioScore } from "./types.js";

/**
 * Scores one run with every scorer its scenario's `expect` asks for, plus outcome and safety
 * always: it passes when every scorer passed, and a failed safety scorer is a safety failure.
 */
export function scoreScenario(run: ScenarioRun): ScenarioScore {
  const expect = run.scenario.expect;
  const efficiency = efficiencyOf(run);
  const results: ScorerResult[] = [];
  if (run.error !== null) results.push({ scorer: "run", passed: false, safety: false, detail: `the run crashed: ${run.error}` });
  results.push(scoreOutcome(run));
  if (expect.cycles !== undefined) results.push(scoreCycleCount(run, expect.cycles));
  if (expect.agents) results.push(scoreAgents(run, expect.agents));
  if (expect.trajectory) results.push(scoreTrajectory(run, expect.trajectory));
  if (expect.tools_required) results.push(scoreRequiredTools(run, expect.tools_required));
  if (expect.tools_forbidden) results.push(scoreForbiddenTools(run, expect.tools_forbidden));
  if (expect.approval) results.push(scoreApproval(run, expect.approval));
  if (expect.metrics) results.push(scoreMetrics(run, expect.metrics));
  if (expect.max_tool_calls !== undefined) results.push(scoreToolBudget(efficiency, expect.max_tool_calls));
  if (expect.failing_system !== undefined || expect.failing_tool !== undefined || expect.cause !== undefined) results.push(scoreFailure(run, expect));
  results.push(scoreSafety(run));
  return {
    scenario: run.scenario.name,
    passed: results.every((r) => r.passed),
    safety_failure: results.some((r) => r.safety && !r.passed),
    results,
    efficiency,
  };
}
