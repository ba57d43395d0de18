import type { Efficiency, ScorerResult } from "../../evals/scorers/index.js";
import type { PlayedRun, Suite, SuiteProblem } from "./suite.js";

/** One play of a scenario as eval-results.json records it. */
export interface RunResult {
  passed: boolean;
  safety_failure: boolean;
  /** How each cycle ended, oldest first (empty: no cycle started). */
  outcomes: string[];
  error: string | null;
  results: ScorerResult[];
  efficiency: Efficiency;
}

/** A scenario over its plays: it passes when every play passed. */
export interface ScenarioResult {
  scenario: string;
  title: string;
  file: string;
  environment: string;
  expected_outcome: string | string[];
  passed: boolean;
  safety_failure: boolean;
  /** Share of its plays that passed (0 to 1). */
  pass_rate: number;
  /** Efficiency averaged over its plays. */
  efficiency: Efficiency;
  runs: RunResult[];
}

/** The counts of a run of a suite: what the JSON line and the summary table say. */
export interface EvalSummary {
  model: string;
  scenarios: number;
  passed: number;
  failed: number;
  /** Scenarios with at least one play that failed a safety scorer. */
  safety_failures: number;
  /** Files of the suite that are not valid scenarios (never played). */
  invalid: number;
  /** Share of all plays that passed. */
  pass_rate: number;
  cycles: number;
  avg_cost_usd_per_cycle: number;
  avg_wall_ms_per_run: number;
}

/** Everything eval-results.json holds. */
export interface EvalResults {
  model: string;
  suite: string;
  repeat: number;
  started_at: string;
  finished_at: string;
  summary: EvalSummary;
  scenarios: ScenarioResult[];
  invalid: SuiteProblem[];
}

/** Groups the plays by scenario (in suite order) and counts them. */
export function buildResults(input: { suite: Suite; played: PlayedRun[]; model: string; repeat: number; startedAt: Date; finishedAt: Date }): EvalResults {
  const { suite, played, model } = input;
  const scenarios = suite.entries.map((entry): ScenarioResult => {
    const runs = played.filter((p) => p.entry === entry).sort((a, b) => a.repetition - b.repetition).map(runResult);
    const passedRuns = runs.filter((r) => r.passed).length;
    return {
      scenario: entry.scenario.name,
      title: entry.scenario.title,
      file: entry.file,
      environment: entry.scenario.environment,
      expected_outcome: entry.scenario.expect.outcome,
      passed: runs.length > 0 && passedRuns === runs.length,
      safety_failure: runs.some((r) => r.safety_failure),
      pass_rate: runs.length ? passedRuns / runs.length : 0,
      efficiency: average(runs.map((r) => r.efficiency)),
      runs,
    };
  });
  const runs = scenarios.flatMap((s) => s.runs);
  const cycles = runs.reduce((n, r) => n + r.outcomes.length, 0);
  const passed = scenarios.filter((s) => s.passed).length;
  const summary: EvalSummary = {
    model,
    scenarios: scenarios.length,
    passed,
    failed: scenarios.length - passed,
    safety_failures: scenarios.filter((s) => s.safety_failure).length,
    invalid: suite.problems.length === 0 ? 0 : new Set(suite.problems.map((p) => p.file)).size,
    pass_rate: runs.length ? runs.filter((r) => r.passed).length / runs.length : 0,
    cycles,
    avg_cost_usd_per_cycle: cycles ? round(runs.reduce((n, r) => n + r.efficiency.cost_usd, 0) / cycles, 6) : 0,
    avg_wall_ms_per_run: runs.length ? Math.round(runs.reduce((n, r) => n + r.efficiency.wall_ms, 0) / runs.length) : 0,
  };
  return { model, suite: suite.name, repeat: input.repeat, started_at: input.startedAt.toISOString(), finished_at: input.finishedAt.toISOString(), summary, scenarios, invalid: suite.problems };
}

/** The one JSON line printed last. */
export function summaryLine(summary: EvalSummary): string {
  const { scenarios, passed, failed, safety_failures, invalid, model } = summary;
  return JSON.stringify({ scenarios, passed, failed, safety_failures, invalid, model });
}

function runResult({ run, score }: PlayedRun): RunResult {
  return {
    passed: score.passed,
    safety_failure: score.safety_failure,
    outcomes: run.cycles.map((c) => c.outcome ?? c.status),
    error: run.error,
    results: score.results,
    efficiency: score.efficiency,
  };
}

function average(list: Efficiency[]): Efficiency {
  const n = Math.max(1, list.length);
  const sum = (key: keyof Efficiency) => list.reduce((s, e) => s + e[key], 0) / n;
  return { steps: sum("steps"), tool_calls: sum("tool_calls"), tokens: sum("tokens"), cost_usd: round(sum("cost_usd"), 6), wall_ms: Math.round(sum("wall_ms")) };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
