import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { parseDuration } from "./duration.js";
import { listScenarios, loadScenario, parseScenario, scenarioJsonSchema, scenarioPath, ScenarioError, SCENARIOS_DIR, writeScenarioJsonSchema } from "./scenario.js";

const dir = mkdtempSync(join(tmpdir(), "scenario-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the ndcg-drop file with one line replaced, under the name `name`. */
function variant(name: string, replace: [string | RegExp, string][]): string {
  let text = readFileSync(scenarioPath("ndcg-drop"), "utf8").replace("name: ndcg-drop", `name: ${name}`);
  for (const [from, to] of replace) {
    const next = text.replace(from, to);
    if (next === text) throw new Error(`test set-up: ${String(from)} not found`);
    text = next;
  }
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, text);
  return path;
}

function errorOf(fn: () => unknown): ScenarioError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error("expected a ScenarioError");
}

describe("scenario files", () => {
  it("lists and loads the shipped scenarios", () => {
    expect(listScenarios()).toEqual([
      "bad-deploy",
      "cost-overrun",
      "etl-backlog",
      "fast-ndcg-drop",
      "latency-spike",
      "ndcg-drop",
      "ndcg-drop-argocd-slow",
      "ndcg-drop-h2o-outage",
      "ndcg-drop-mlflow-proxy-page",
      "ndcg-drop-prometheus-outage",
      "recall-drop",
      "satisfaction-drop",
    ]);
    const ndcg = loadScenario("ndcg-drop");
    expect(ndcg.events[0]).toEqual({ at: "10m", kind: "corpus_shift", topics: ["travel", "sports"], quality_drop: 0.18 });
    expect(ndcg.rollout).toBeUndefined();
    expect(ndcg.expect.outcome).toBe("promoted");
    const bad = loadScenario(scenarioPath("bad-deploy"));
    expect(bad.rollout?.hidden_latency_regression).toEqual({ p95_seconds: 1.45, min_traffic_percent: 50, after_minutes: 15 });
    expect(bad.expect.outcome).toBe("rolled_back");
    expect(bad.description).toMatch(/first model trained/);
  });

  it("fills defaults and keeps extra expect fields", () => {
    const path = variant("defaults", [
      [/faults: \[\]\n/, ""],
      [/operator: .*\n/, ""],
      ["  fails: false\n", ""],
      ["expect: { outcome: promoted }", "expect: { outcome: promoted, max_cycles: 1 }"],
    ]);
    const scenario = loadScenario(path);
    expect(scenario.faults).toEqual([]);
    expect(scenario.operator).toEqual({ approval: "approve" });
    expect(scenario.training.fails).toBe(false);
    expect(scenario.expect).toEqual({ outcome: "promoted", max_cycles: 1 });
  });

  it("gives every ETL processor its default workers unless the scenario names it", () => {
    expect(loadScenario("ndcg-drop").processors).toEqual({ crawl: { workers: 2 }, embed: { workers: 4 }, index: { workers: 2 } });
    const path = variant("more-embedders", [["champion: {", "processors: { embed: { workers: 6 } }\nchampion: {"]]);
    expect(loadScenario(path).processors).toEqual({ crawl: { workers: 2 }, embed: { workers: 6 }, index: { workers: 2 } });
    expect(loadScenario("cost-overrun").training.size_quality_exponent).toBe(0);
    expect(loadScenario("ndcg-drop").training.size_quality_exponent).toBe(0);
  });

  it.each([
    ["unknown-processor", ["champion: {", "processors: { ingest: { workers: 2 } }\nchampion: {"], 'processors: Unrecognized key: "ingest"'],
    ["no-workers", ["champion: {", "processors: { embed: { workers: 0 } }\nchampion: {"], "processors.embed.workers"],
    ["too-big-drop", ["quality_drop: 0.18", "quality_drop: 1.5"], "events[0].quality_drop"],
    ["unknown-topic", ["topics: [travel, sports]", "topics: [travel, cooking]"], 'events[0].topics[1]: "cooking" is not one of'],
    ["bad-duration", ["at: 10m", "at: ten minutes"], 'events[0].at: must be a duration such as "90s"'],
    ["typo-field", ["quality_drop: 0.18", "qualty_drop: 0.18"], 'events[0]: Unrecognized key: "qualty_drop"'],
    ["unknown-kind", ["kind: corpus_shift", "kind: corpus_drift"], "events[0].kind: must have a kind among corpus_shift"],
    ["missing-baseline", ["  ndcg_at_10: 0.72\n", ""], "baseline.ndcg_at_10: is required (a number)"],
    ["numeric-version", ['version: "1"', "version: 1"], 'champion.version: must be a registered model version in quotes, such as "1"'],
    ["bad-signal", ["signal: ndcg_drop", "signal: relevance"], 'alerts[0].labels.signal: "relevance" is not a signal'],
    ["bad-environment", ["environment: production", "environment: prod"], "environment"],
    ["bad-start", ['start: "2026-11-20T08:00:00Z"', 'start: "tomorrow"'], "start: must be an ISO 8601 UTC time"],
  ] as const)("rejects %s naming the field", (name, [from, to], expected) => {
    const error = errorOf(() => loadScenario(variant(name, [[from, to]])));
    expect(error.code).toBe("scenario_invalid");
    expect(error.message).toContain(`${name}.yaml is invalid`);
    expect(error.message).toContain(expected);
  });

  it("reports every problem at once", () => {
    const error = errorOf(() => loadScenario(variant("two-problems", [["quality_drop: 0.18", "quality_drop: -1"], ["traffic_rps: 120", "traffic_rps: zero"]])));
    const issues = error.details.issues as { path: string }[];
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(["events[0].quality_drop", "traffic_rps"]));
  });

  it("requires the name to match the file", () => {
    const path = join(dir, "other-name.yaml");
    writeFileSync(path, readFileSync(scenarioPath("ndcg-drop"), "utf8"));
    expect(errorOf(() => loadScenario(path)).message).toContain('name: is "ndcg-drop" but the file is called other-name.yaml');
  });

  it("explains YAML syntax errors and missing files", () => {
    const path = join(dir, "broken.yaml");
    writeFileSync(path, "name: broken\nevents: [\n  - {at: 1m\n");
    expect(errorOf(() => loadScenario(path)).message).toMatch(/broken\.yaml is not valid YAML/);
    const missing = errorOf(() => loadScenario("no-such-scenario"));
    expect(missing.code).toBe("scenario_not_found");
    expect(missing.message).toContain("ndcg-drop");
  });

  it("validates parsed data directly", () => {
    expect(() => parseScenario({ name: "x" }, "inline")).toThrow(/inline is invalid:\n {2}- title/);
  });
});

describe("scenario JSON Schema", () => {
  it("matches the committed evals/scenarios/scenario.schema.json", () => {
    const committed = JSON.parse(readFileSync(join(SCENARIOS_DIR, "scenario.schema.json"), "utf8"));
    expect(committed).toEqual(scenarioJsonSchema());
  });

  it("is written by writeScenarioJsonSchema and describes the fields", () => {
    const path = writeScenarioJsonSchema(join(dir, "schema.json"));
    const schema = JSON.parse(readFileSync(path, "utf8"));
    expect(schema.required).toEqual(expect.arrayContaining(["name", "baseline", "champion", "training", "expect"]));
    expect(schema.required).not.toContain("faults");
    expect(schema.properties.training.properties.recovery.description).toMatch(/drop/);
    expect(schema.properties.expect.additionalProperties).toEqual({});
  });
});

describe("parseDuration", () => {
  it("reads single and compound durations", () => {
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("20m")).toBe(1_200_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(() => parseDuration("5 minutes")).toThrow(/not a duration/);
  });
});
