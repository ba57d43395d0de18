import { mkdir, writeFile } from "node:fs/promises";
import { Client } from "langsmith";
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
  runExperiment,
  renderHtml,
  runSuite,
  summaryLine,
  type PlayedRun,
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
  const size = Math.max(1, Math.min(concurrency, plays));
  const player = createWorkerPool({ size, config: runConfig, logLevel });
  const onPlayed = (p: PlayedRun) => bar.played(p.entry.scenario.name, p.score.passed, p.run.wallMs);
  const { apiKey, endpoint, enabled } = config.tracing;
  let played: PlayedRun[];
  let experiment: string | null = null;
  try {
    if (enabled && apiKey) {
      // With LangSmith configured the run is an experiment over the suite's dataset.
      const client = new Client({ apiKey, apiUrl: endpoint });
      const result = await runExperiment(suite, { client, player, model, repeat, concurrency: size, onPlayed });
      played = result.played;
      experiment = `eval: LangSmith experiment ${result.experiment} on dataset ${result.dataset}`;
    } else {
      played = await runSuite(suite, { player, repeat, onPlayed });
    }
  } finally {
    bar.done();
    await player.close();
  }
  const results = buildResults({ suite, played, model, repeat, startedAt, finishedAt: new Date() });

  out(formatResults(results));
  if (experiment) out(`\n${experiment}`);
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
