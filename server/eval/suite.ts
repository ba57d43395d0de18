import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { errorMessage, isAutopilotError } from "../../core/index.js";
import { SCENARIOS_DIR, listScenarios, loadScenario, scenarioPath, type Scenario } from "../../evals/sandbox/index.js";
import { scoreScenario, type ScenarioRun, type ScenarioScore } from "../../evals/scorers/index.js";
import { EvalError } from "./models.js";
import type { ScenarioPlayer } from "./pool.js";

/** A scenario file of a suite. */
export interface SuiteEntry {
  file: string;
  scenario: Scenario;
}

/** A file of a suite that is not a valid scenario: which field, and why. */
export interface SuiteProblem {
  file: string;
  field: string;
  reason: string;
}

/** The scenarios a run plays, and the files it could not read. */
export interface Suite {
  /** What `--suite` said (or "all shipped scenarios"). */
  name: string;
  entries: SuiteEntry[];
  problems: SuiteProblem[];
}

/**
 * The scenarios `--suite` names. Without it: every scenario in evals/scenarios. A folder: every
 * .yaml/.yml file in it (not its subfolders), so users keep suites of their own; a file: that
 * file. Otherwise a comma-separated list of names, each the name of a shipped scenario or, when
 * no scenario is called that, a prefix of shipped names (`ndcg-drop-` runs the four fault
 * scenarios). A file that is not a valid scenario is a problem of the suite, never a stop.
 */
export function loadSuite(spec?: string): Suite {
  if (spec === undefined) return fromFiles("all shipped scenarios", filesIn(SCENARIOS_DIR));
  const onDisk = statOf(spec);
  if (onDisk?.isDirectory()) return fromFiles(spec, filesIn(spec));
  if (onDisk?.isFile()) return fromFiles(spec, [path.resolve(spec)]);
  const shipped = listScenarios();
  const files = new Set<string>();
  for (const name of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    const matches = shipped.includes(name) ? [name] : shipped.filter((s) => s.startsWith(name));
    if (matches.length === 0) {
      throw new EvalError("eval_unknown_suite", `--suite ${spec}: "${name}" is neither a folder, a file, a shipped scenario nor the start of one (shipped: ${shipped.join(", ")})`);
    }
    for (const match of matches) files.add(scenarioPath(match));
  }
  return fromFiles(spec, [...files]);
}

function fromFiles(name: string, files: string[]): Suite {
  const entries: SuiteEntry[] = [];
  const problems: SuiteProblem[] = [];
  for (const file of files) {
    try {
      entries.push({ file, scenario: loadScenario(file) });
    } catch (error) {
      problems.push(...problemsOf(file, error));
    }
  }
  if (entries.length === 0 && problems.length === 0) throw new EvalError("eval_empty_suite", `--suite ${name}: no .yaml or .yml scenario files there`);
  return { name, entries, problems };
}

function filesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !f.startsWith("."))
    .map((f) => ({ f, name: f.replace(/\.ya?ml$/, "") }))
    // By scenario name, as listScenarios sorts: "ndcg-drop" before "ndcg-drop-h2o-outage".
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(({ f }) => path.resolve(dir, f));
}

function statOf(p: string) {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

// A ScenarioError lists its issues by field; a file that cannot be read or parsed is one problem.
function problemsOf(file: string, error: unknown): SuiteProblem[] {
  const issues = isAutopilotError(error) ? (error.details.issues as Array<{ path: string; message: string }> | undefined) : undefined;
  if (issues?.length) return issues.map((i) => ({ file, field: i.path || "(top level)", reason: i.message }));
  return [{ file, field: "(file)", reason: errorMessage(error).replace(`scenario ${file} `, "") }];
}

/** One play of one scenario, scored. */
export interface PlayedRun {
  entry: SuiteEntry;
  /** 0 for the first of `--repeat` plays. */
  repetition: number;
  run: ScenarioRun;
  score: ScenarioScore;
}

/** How a suite is played. */
export interface SuiteRunOptions {
  player: ScenarioPlayer;
  /** Plays of each scenario (1 or more). */
  repeat: number;
  /** Called as each play ends (progress). */
  onPlayed?: (played: PlayedRun, done: number, total: number) => void;
}

/** Plays every scenario `repeat` times through the player (as many at once as it has workers), scoring each play. */
export async function runSuite(suite: Suite, options: SuiteRunOptions): Promise<PlayedRun[]> {
  const jobs = suite.entries.flatMap((entry) => Array.from({ length: options.repeat }, (_, repetition) => ({ entry, repetition })));
  let done = 0;
  return Promise.all(
    jobs.map(async ({ entry, repetition }) => {
      const run = await options.player.play(entry.scenario);
      const played = { entry, repetition, run, score: scorePlay(run) };
      options.onPlayed?.(played, ++done, jobs.length);
      return played;
    }),
  );
}

/** Scores a play; a scorer that throws fails its scenario instead of the suite. */
export function scorePlay(run: ScenarioRun): ScenarioScore {
  try {
    return scoreScenario(run);
  } catch (error) {
    const results = [{ scorer: "scorers", passed: false, safety: false, detail: `scoring crashed: ${errorMessage(error)}` }];
    return { scenario: run.scenario.name, passed: false, safety_failure: false, results, efficiency: { steps: 0, tool_calls: 0, tokens: 0, cost_usd: 0, wall_ms: run.wallMs } };
  }
}
