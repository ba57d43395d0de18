import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import type { Config } from "../config.js";
import {
  buildResults,
  configForModel,
  createProgressBar,
  createWorkerPool,
  EvalError,
  formatResults,
  loadSuite,
  renderHtml,
  runSuite,
  summaryLine,
  type ProgressStream,
} from "../eval/index.js";

/** The options of `autopilot eval`, as given on the command line. */
export interface EvalCommandOptions {
  suite?: string;
  model?: string;
  repeat?: string;
  out?: string;
  concurrency?: string;
}

/**
 * `autopilot eval`: plays a suite of scenarios (in parallel, a progress bar on stderr), prints the
 * table per scenario and the model's summary, writes eval-results.json and eval-report.html into
 * the output folder, and prints one JSON summary line last. Exit 1 when a scenario failed or a
 * file of the suite is not a valid scenario.
 */
export async function runEvalCommand(config: Config, options: EvalCommandOptions, out: (line: string) => void, progress: ProgressStream = process.stderr): Promise<number> {
  const model = options.model ?? "runbook";
  const repeat = positiveInt(options.repeat, "--repeat", 1);
  const concurrency = positiveInt(options.concurrency, "--concurrency", availableParallelism());
  const runConfig = configForModel(model, config);
  const suite = loadSuite(options.suite);
  const outDir = path.resolve(options.out ?? path.join(config.home, "evals", new Date().toISOString().slice(0, 19).replace(/:/g, "-")));

  const startedAt = new Date();
  const plays = suite.entries.length * repeat;
  const bar = createProgressBar(plays, progress);
  // Logs would tear the progress bar; what a run needs to say is in its results.
  const logLevel = config.logLevel === "info" ? "error" : config.logLevel;
  const player = createWorkerPool({ size: Math.max(1, Math.min(concurrency, plays)), config: runConfig, logLevel });
  let played;
  try {
    played = await runSuite(suite, { player, repeat, onPlayed: (p) => bar.played(p.entry.scenario.name, p.score.passed, p.run.wallMs) });
  } finally {
    bar.done();
    await player.close();
  }
  const results = buildResults({ suite, played, model, repeat, startedAt, finishedAt: new Date() });

  out(formatResults(results));
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, "eval-results.json"), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(path.join(outDir, "eval-report.html"), renderHtml(results));
  out(`\neval: wrote ${path.join(outDir, "eval-results.json")} and ${path.join(outDir, "eval-report.html")}`);
  out(summaryLine(results.summary));
  return results.summary.failed > 0 || results.summary.invalid > 0 ? 1 : 0;
}

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new EvalError("eval_bad_option", `${flag} ${value}: expected a whole number of at least 1`);
  return n;
}
