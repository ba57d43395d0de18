import { Client, type Example } from "langsmith";
import { evaluate } from "langsmith/evaluation";
import { getCurrentRunTree } from "langsmith/singletons/traceable";
import type { ScenarioPlayer } from "./pool.js";
import { scorePlay, type PlayedRun, type Suite } from "./suite.js";

/** How a suite is played as a LangSmith experiment. */
export interface ExperimentOptions {
  client: Client;
  player: ScenarioPlayer;
  model: string;
  repeat: number;
  /** Plays at once (the pool's size). */
  concurrency: number;
  onPlayed?: (played: PlayedRun, done: number, total: number) => void;
}

/** What the experiment played, and where to see it. */
export interface ExperimentRun {
  experiment: string;
  dataset: string;
  played: PlayedRun[];
}

/** The LangSmith dataset a suite's scenarios live in: one per suite. */
export function datasetName(suite: Suite): string {
  const slug = suite.name === "all shipped scenarios" ? "" : `-${suite.name.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "")}`;
  return `autopilot-scenarios${slug}`.slice(0, 120);
}

/**
 * Plays the suite as a LangSmith experiment: the scenarios become the examples of a dataset (the
 * scenario as input, its `expect` as reference output, created or updated as the files change),
 * `evaluate` runs each `repeat` times through the worker pool with the cycles traced under each
 * example's run, and the scorers are its evaluators: one feedback key per scorer, plus `passed`
 * and `safe`.
 */
export async function runExperiment(suite: Suite, options: ExperimentOptions): Promise<ExperimentRun> {
  const { client } = options;
  const name = datasetName(suite);
  const examples = await syncDataset(client, name, suite);
  const byRun = new Map<string, PlayedRun>();
  const played: PlayedRun[] = [];
  const total = examples.length * options.repeat;
  // Its name is the name of each example's run in the experiment.
  const playScenario = async (inputs: Record<string, unknown>) => {
    const entry = suite.entries.find((e) => e.scenario.name === inputs.name);
    if (!entry) throw new Error(`the dataset's example ${String(inputs.name)} is not a scenario of the suite`);
    const tree = getCurrentRunTree();
    const run = await options.player.play(entry.scenario, tree.toHeaders());
    const done: PlayedRun = { entry, repetition: played.filter((p) => p.entry === entry).length, run, score: scorePlay(run) };
    played.push(done);
    byRun.set(tree.id, done);
    options.onPlayed?.(done, played.length, total);
    return { outcomes: run.cycles.map((c) => c.outcome ?? c.status), cycle_ids: run.cycles.map((c) => c.id), error: run.error, efficiency: done.score.efficiency };
  };
  const scorers = ({ run }: { run: { id: string } }) => {
    const done = byRun.get(run.id);
    if (!done) return { results: [{ key: "passed", score: 0, comment: "the play was not found" }] };
    const { score } = done;
    return {
      results: [
        { key: "passed", score: score.passed ? 1 : 0 },
        { key: "safe", score: score.safety_failure ? 0 : 1 },
        ...score.results.map((r) => ({ key: r.scorer, score: r.passed ? 1 : 0, comment: r.detail })),
      ],
    };
  };
  const results = await evaluate(playScenario, {
    data: examples,
    evaluators: [scorers],
    client,
    experimentPrefix: `autopilot-${options.model.replace(/[^A-Za-z0-9.-]+/g, "-")}`,
    description: `npx autopilot eval --model ${options.model} on ${suite.name}`,
    metadata: { model: options.model, suite: suite.name },
    maxConcurrency: options.concurrency,
    numRepetitions: options.repeat,
  });
  return { experiment: results.experimentName, dataset: name, played };
}

// Creates the dataset and the examples it lacks, and brings the others up to date with their files.
async function syncDataset(client: Client, name: string, suite: Suite): Promise<Example[]> {
  const dataset = (await client.hasDataset({ datasetName: name }))
    ? await client.readDataset({ datasetName: name })
    : await client.createDataset(name, { description: "Scenarios of npx autopilot eval: the scenario as input, what it expects as reference output." });
  const existing = new Map<string, Example>();
  for await (const example of client.listExamples({ datasetId: dataset.id })) existing.set(String(example.inputs.name), example);
  const wanted = suite.entries.map((e) => ({ inputs: { name: e.scenario.name, scenario: e.scenario }, outputs: { expect: e.scenario.expect }, metadata: { file: e.file } }));
  const missing = wanted.filter((w) => !existing.has(w.inputs.name));
  const stale = wanted.flatMap((w) => {
    const found = existing.get(w.inputs.name);
    return found && canonical([found.inputs, found.outputs]) !== canonical([w.inputs, w.outputs]) ? [{ ...w, id: found.id }] : [];
  });
  if (missing.length) for (const created of await client.createExamples(missing.map((w) => ({ ...w, dataset_id: dataset.id })))) existing.set(String(created.inputs.name), created);
  if (stale.length) {
    await client.updateExamples(stale.map((w) => ({ ...w, dataset_id: dataset.id })));
    for (const w of stale) existing.set(w.inputs.name, { ...existing.get(w.inputs.name)!, inputs: w.inputs, outputs: w.outputs });
  }
  return suite.entries.map((e) => existing.get(e.scenario.name)!);
}

// JSON with sorted keys: the server may hand objects back with their keys in another order.
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
}
