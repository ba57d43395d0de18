import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Client } from "langsmith";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenario, type Scenario } from "../../evals/sandbox/index.js";
import { datasetName, runExperiment } from "./experiment.js";
import { crashedRun } from "./play.js";
import type { ScenarioPlayer } from "./pool.js";
import type { Suite } from "./suite.js";
import { startFakeLangSmith, type FakeLangSmith } from "./testing/fake-langsmith.js";

const KEY = "lsv2_pt_eval_test_0123456789";
let fake: FakeLangSmith;
const dirs: string[] = [];
beforeAll(async () => {
  fake = await startFakeLangSmith();
});
afterAll(async () => {
  await fake?.close();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** A player that plays nothing: every scenario ends as it expects after one cycle, and the trace headers it got are kept. */
function stubPlayer(): ScenarioPlayer & { traces: Array<Record<string, string> | undefined> } {
  const traces: Array<Record<string, string> | undefined> = [];
  return {
    traces,
    async play(scenario: Scenario, trace?: Record<string, string>) {
      traces.push(trace);
      const outcome = String(scenario.expect.outcome);
      return { ...crashedRun(scenario, null, 5), cycles: [{ id: "si_1", status: "completed", outcome, report: null }] };
    },
    async close() {},
  };
}

const suiteOf = (name: string, scenarios: Scenario[]): Suite => ({ name, entries: scenarios.map((s) => ({ file: `/suite/${s.name}.yaml`, scenario: s })), problems: [] });

describe("a suite as a LangSmith experiment", () => {
  it("makes the scenarios a dataset, runs each example `repeat` times and records every scorer as feedback of its run", async () => {
    const suite = suiteOf("mine", [loadScenario("satisfaction-drop"), loadScenario("ndcg-drop")]);
    const player = stubPlayer();
    const client = new Client({ apiKey: KEY, apiUrl: fake.url });
    const result = await runExperiment(suite, { client, player, model: "runbook", repeat: 2, concurrency: 2 });
    expect(result.played.map((p) => [p.entry.scenario.name, p.score.passed]).sort()).toEqual([
      ["ndcg-drop", true],
      ["ndcg-drop", true],
      ["satisfaction-drop", true],
      ["satisfaction-drop", true],
    ]);
    const dataset = [...fake.datasets.values()].find((d) => d.name === datasetName(suite))!;
    const examples = [...fake.examples.values()].filter((e) => e.dataset_id === dataset.id);
    expect(examples.map((e) => [(e.inputs as { name: string }).name, (e.outputs as { expect: unknown }).expect]).sort()).toEqual([
      ["ndcg-drop", { outcome: "promoted" }],
      ["satisfaction-drop", { outcome: "escalated" }],
    ]);
    const experiment = [...fake.projects.values()].find((p) => p.name === result.experiment)!;
    expect(experiment.reference_dataset_id).toBe(dataset.id);
    // Each play got the trace headers of its own example run.
    const targets = [...fake.runs.values()].filter((r) => r.name === "playScenario");
    expect(targets).toHaveLength(4);
    expect(player.traces.map((t) => t?.["langsmith-trace"]?.split(".").at(-1)?.slice(-36)).sort()).toEqual(targets.map((r) => r.id).sort());
    for (const run of targets) {
      const keys = fake.feedback.filter((f) => f.run_id === run.id).map((f) => [f.key, f.score]);
      expect(keys).toEqual(expect.arrayContaining([["passed", 1], ["safe", 1], ["outcome", 1], ["safety", 1]]));
    }
    expect(fake.unhandled).toEqual([]);
  });

  it("brings the dataset up to date on the next run instead of adding examples twice", async () => {
    const ndcg = loadScenario("ndcg-drop");
    const suite = suiteOf("again", [ndcg]);
    const client = new Client({ apiKey: KEY, apiUrl: fake.url });
    await runExperiment(suite, { client, player: stubPlayer(), model: "runbook", repeat: 1, concurrency: 1 });
    const changed = suiteOf("again", [{ ...ndcg, expect: { outcome: "escalated" } }]);
    await runExperiment(changed, { client, player: stubPlayer(), model: "runbook", repeat: 1, concurrency: 1 });
    const dataset = [...fake.datasets.values()].find((d) => d.name === datasetName(suite))!;
    const examples = [...fake.examples.values()].filter((e) => e.dataset_id === dataset.id);
    expect(examples.map((e) => (e.outputs as { expect: unknown }).expect)).toEqual([{ outcome: "escalated" }]);
  });

  it("runs `npx autopilot eval` as an experiment when LangSmith is configured, each cycle's trace under its example's run", async () => {
    const home = mkdtempSync(path.join(tmpdir(), "autopilot-eval-ls-"));
    dirs.push(home);
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", AUTOPILOT_HOME: home, LANGSMITH_TRACING: "true", LANGSMITH_API_KEY: KEY, LANGSMITH_ENDPOINT: fake.url };
    const bin = path.resolve(import.meta.dirname, "..", "..", "bin", "autopilot.js");
    const { stdout } = await promisify(execFile)(process.execPath, [bin, "eval", "--suite", "satisfaction-drop"], { env, timeout: 180_000 });
    expect(JSON.parse(stdout.trim().split("\n").at(-1)!)).toEqual({ scenarios: 1, passed: 1, failed: 0, safety_failures: 0, invalid: 0, model: "runbook" });
    const name = /^eval: LangSmith experiment (\S+) on dataset autopilot-scenarios-satisfaction-drop$/m.exec(stdout)?.[1];
    const experiment = [...fake.projects.values()].find((p) => p.name === name)!;
    const runs = [...fake.runs.values()];
    const target = runs.find((r) => r.name === "playScenario" && r.session_name === experiment.name)!;
    const cycle = runs.find((r) => r.parent_run_id === target.id && String(r.name).startsWith("cycle "))!;
    expect(cycle).toMatchObject({ trace_id: target.trace_id, outputs: { status: "completed", outcome: "escalated" } });
    // The agents and their tool calls hang under the cycle.
    const inCycle = runs.filter((r) => String(r.dotted_order).startsWith(`${String(cycle.dotted_order)}.`));
    expect(inCycle.filter((r) => r.run_type === "tool").map((r) => r.name)).toContain("prometheus_get_signal");
    expect(inCycle.map((r) => r.name)).toContain("supervisor");
    expect(fake.feedback.filter((f) => f.run_id === target.id).map((f) => f.key)).toEqual(expect.arrayContaining(["passed", "safe", "outcome", "safety"]));
    expect(JSON.stringify(runs)).not.toContain(KEY);
    expect(fake.unhandled).toEqual([]);
  });
});
