import { describe, expect, it } from "vitest";
import { loadScenario, type Scenario } from "../../evals/sandbox/index.js";
import type { ScenarioScore } from "../../evals/scorers/index.js";
import { crashedRun } from "./play.js";
import { createProgressBar } from "./progress-bar.js";
import { renderHtml } from "./report-html.js";
import { formatResults } from "./report-text.js";
import { buildResults, summaryLine } from "./results.js";
import type { PlayedRun, Suite } from "./suite.js";

const ndcg = loadScenario("ndcg-drop");
const odd: Scenario = { ...loadScenario("satisfaction-drop"), name: "odd<one>", title: "Quotes \" & <tags>" };
const suite: Suite = {
  name: "test suite",
  entries: [
    { file: "/s/ndcg-drop.yaml", scenario: ndcg },
    { file: "/s/odd.yaml", scenario: odd },
  ],
  problems: [
    { file: "/s/bad.yaml", field: "environment", reason: "must be dev, staging or production" },
    { file: "/s/bad.yaml", field: "start", reason: "is required" },
  ],
};

/** A scored play: `outcomes` for its cycles, and whether it passed (a safety failure when `unsafe`). */
function played(entry: number, repetition: number, outcomes: string[], passed: boolean, unsafe = false): PlayedRun {
  const { scenario } = suite.entries[entry]!;
  const run = { ...crashedRun(scenario, null, 2000 + repetition * 1000), cycles: outcomes.map((o, i) => ({ id: `c${i}`, status: "completed", outcome: o, report: null })) };
  const results = [
    { scorer: "outcome", passed, safety: false, detail: passed ? "as expected" : `expected ${String(scenario.expect.outcome)}, got ${outcomes.join(", ")}` },
    { scorer: "safety", passed: !unsafe, safety: true, detail: unsafe ? "argocd_sync_application ran under a deny" : "every call allowed" },
  ];
  const score: ScenarioScore = { scenario: scenario.name, passed: passed && !unsafe, safety_failure: unsafe, results, efficiency: { steps: 4 + repetition, tool_calls: 10, tokens: 0, cost_usd: 0.002, wall_ms: run.wallMs } };
  return { entry: suite.entries[entry]!, repetition, run, score };
}

const results = buildResults({
  suite,
  model: "openai:test-model",
  repeat: 2,
  startedAt: new Date("2026-11-21T10:00:00Z"),
  finishedAt: new Date("2026-11-21T10:01:00Z"),
  // Out of order, as plays finish.
  played: [played(1, 1, ["promoted"], false, true), played(0, 0, ["promoted"], true), played(1, 0, ["escalated"], true), played(0, 1, ["promoted"], true)],
});

describe("buildResults", () => {
  it("groups plays per scenario in suite order: a scenario passes when every play did", () => {
    expect(results.scenarios.map((s) => [s.scenario, s.passed, s.safety_failure, s.pass_rate, s.runs.map((r) => r.outcomes.join("+"))])).toEqual([
      ["ndcg-drop", true, false, 1, ["promoted", "promoted"]],
      ["odd<one>", false, true, 0.5, ["escalated", "promoted"]],
    ]);
    expect(results.scenarios[0]!.efficiency).toEqual({ steps: 4.5, tool_calls: 10, tokens: 0, cost_usd: 0.002, wall_ms: 2500 });
  });

  it("counts scenarios, failures, safety failures, invalid files and per-cycle cost", () => {
    expect(results.summary).toEqual({
      model: "openai:test-model",
      scenarios: 2,
      passed: 1,
      failed: 1,
      safety_failures: 1,
      invalid: 1,
      pass_rate: 0.75,
      cycles: 4,
      avg_cost_usd_per_cycle: 0.002,
      avg_wall_ms_per_run: 2500,
    });
    expect(JSON.parse(summaryLine(results.summary))).toEqual({ scenarios: 2, passed: 1, failed: 1, safety_failures: 1, invalid: 1, model: "openai:test-model" });
  });
});

describe("the reports", () => {
  it("prints a row per scenario, why the failures failed, the bad files and the model's summary", () => {
    const text = formatResults(results);
    expect(text).toMatch(/^ndcg-drop\s+pass\s+ok\s+promoted \/ promoted\s+4\.5\s+10\s+0\s+\$0\.0020\s+2\.5s\s+2\/2$/m);
    expect(text).toMatch(/^odd<one>\s+FAIL\s+UNSAFE\s+escalated \/ escalated x1, promoted x1\s/m);
    expect(text).toContain("odd<one>: outcome: expected escalated, got promoted");
    expect(text).toContain("odd<one>: safety (safety): argocd_sync_application ran under a deny");
    expect(text).toContain("/s/bad.yaml: environment: must be dev, staging or production");
    expect(text).toMatch(/^openai:test-model\s+2\s+1\s+1\s+75%\s+1\s+1\s+4\s+\$0\.0020\s+2\.5s$/m);
  });

  it("renders a self-contained HTML page with SVG charts and every name escaped", () => {
    const html = renderHtml(results);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html).toContain("ndcg-drop");
    expect(html).toContain("odd&lt;one&gt;");
    expect(html).not.toContain("odd<one>");
    expect(html).toContain("Quotes &quot; &amp; &lt;tags&gt;");
    expect(html).not.toMatch(/<(script|link)\b|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });
});

describe("createProgressBar", () => {
  it("writes one line per play off a terminal", () => {
    const out: string[] = [];
    const bar = createProgressBar(2, { write: (t: string) => out.push(t), isTTY: false });
    bar.played("ndcg-drop", true, 5200);
    bar.played("bad-deploy", false, 7000);
    bar.done();
    expect(out).toEqual(["eval 1/2  ndcg-drop pass 5.2s\n", "eval 2/2  bad-deploy FAIL 7.0s\n"]);
  });

  it("redraws one line in place on a terminal and ends it", () => {
    const out: string[] = [];
    const bar = createProgressBar(4, { write: (t: string) => out.push(t), isTTY: true, columns: 80 });
    bar.played("ndcg-drop", true, 5200);
    bar.done();
    expect(out).toEqual(["\r[######------------------] 1/4  ndcg-drop pass 5.2s\x1b[K", "\n"]);
  });
});
