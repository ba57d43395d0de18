import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { parseDuration } from "./duration.js";
import { operatorAnswer, scenarioFlagSettings } from "./scenario.js";
import { listScenarios, loadScenario, parseScenario, scenarioJsonSchema, scenarioPath, ScenarioError, SCENARIOS_DIR, writeScenarioJsonSchema } from "./scenario-files.js";

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
      "black-friday-mixed-alerts",
      "cache-thrash-argocd-outage",
      "cache-thrash-manual-rollback",
      "cache-thrash-staging",
      "catalog-import-flapping-alert",
      "catalog-import-sale-weekend",
      "catalog-import-staging",
      "catalog-import-unfamiliar-documents",
      "cheaper-variant-cache-thrash",
      "cheaper-variant-unanswered",
      "checkout-alert-misrouted",
      "cost-overrun",
      "crawl-backlog-staging",
      "embed-burst-late-alert",
      "embed-scaling-sync-error",
      "etl-backlog",
      "fast-ndcg-drop",
      "finance-news-import-dev",
      "gpu-price-rise-dev",
      "index-rebuild-dev",
      "instance-price-rise-staging",
      "kill-switch-release-request",
      "latency-alert-metrics-login-page",
      "latency-alert-resent",
      "latency-fix-after-maintenance",
      "latency-spike",
      "ndcg-drop",
      "ndcg-drop-argocd-slow",
      "ndcg-drop-h2o-outage",
      "ndcg-drop-mlflow-proxy-page",
      "ndcg-drop-prometheus-outage",
      "recall-alert-self-approval",
      "recall-drop",
      "recall-fix-auto-promote-off",
      "recall-fix-training-job-crash",
      "registry-outage-at-promotion",
      "relevance-alert-dev-label",
      "relevance-alert-restore-request",
      "relevance-alert-runbook-note",
      "relevance-drop-budget-spent",
      "relevance-resolved-after-restart",
      "reranker-debug-build-dev",
      "reranker-node-pool-staging",
      "reranker-retrain-under-freeze",
      "satisfaction-drop",
      "second-alert-same-day",
      "staging-ab-night-stop",
      "supplier-feed-dev",
      "supplier-feed-freeze-window",
      "supplier-feed-staging",
      "supplier-feed-two-alerts",
      "survey-dip-dev",
      "survey-dip-staging",
      "travel-catalog-incident-stop",
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

  it("fills defaults, and leaves the run's fields out when the file does", () => {
    const path = variant("defaults", [
      [/faults: \[\]\n/, ""],
      [/operator: .*\n/, ""],
      ["  fails: false\n", ""],
    ]);
    const scenario = loadScenario(path);
    expect(scenario.faults).toEqual([]);
    expect(scenario.operator).toEqual({ approval: "approve" });
    expect(scenario.training.fails).toBe(false);
    expect(scenario.expect).toEqual({ outcome: "promoted" });
    expect(scenario.flags).toBeUndefined();
    expect(scenario.timeline).toBeUndefined();
    expect(scenarioFlagSettings(scenario)).toEqual([]);
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

const OPERATOR_LINE = 'operator: { approval: approve, reason: "looks good" }';
const EXPECT_LINE = "expect: { outcome: promoted }";

/** The ndcg-drop file with its operator and expect lines replaced and `extra` YAML added before them. */
function runVariant(name: string, parts: { extra?: string; operator?: string; expect?: string; alerts?: string }): string {
  const replace: [string | RegExp, string][] = [];
  if (parts.extra || parts.operator) replace.push([OPERATOR_LINE, `${parts.extra ?? ""}${parts.operator ?? OPERATOR_LINE}`]);
  if (parts.expect) replace.push([EXPECT_LINE, parts.expect]);
  if (parts.alerts) replace.push([/alerts:\n(?: {2}.*\n)+/, parts.alerts]);
  return variant(name, replace);
}

describe("what a scenario run sets up and expects", () => {
  const full = () =>
    loadScenario(
      runVariant("full", {
        extra: [
          "flags:",
          "  kill_switch: false",
          "  manual_approval_required: true",
          "  ab_testing: { split_percent: 10 }",
          "  cost_optimization: { budget_usd_per_day: 0 }",
          "  max_cycles_per_day: { limit: 1 }",
          '  change_freeze: { windows: [{ start: 0m, end: 2h, reason: "release" }] }',
          "timeline:",
          "  - { at: 45m, action: kill_switch_on, reason: incident }",
          "  - { after_tool: h2o_train_model, action: kill_switch_off }",
          "",
        ].join("\n"),
        operator: "operator: { approval: approve, tools: { argocd_sync_application: { approval: reject, reason: not today } } }",
        expect: [
          "expect:",
          "  outcome: [escalated, no_action]",
          "  cycles: 2",
          "  agents: [metrics-analyst, data-engineer]",
          "  trajectory: { tools: [prometheus_get_signal, prometheus_query_breakdown], mode: superset }",
          "  tools_required: [prometheus_get_signal]",
          "  tools_forbidden: [argocd_sync_application]",
          "  approval: not_requested",
          "  metrics: { ndcg_at_10: { min: 0.6 }, latency_p95_seconds: { max: 1 } }",
          "  max_tool_calls: 20",
          "  destructive_principals: [Agent:devops]",
        ].join("\n"),
        alerts: [
          "alerts:",
          "  - { at: 20m, labels: { alertname: SearchRelevanceDegraded, signal: ndcg_drop, service: search }, repeat: { times: 3, every: 30s } }",
          "  - { at: 40m, status: resolved, labels: { alertname: SearchRelevanceDegraded, signal: ndcg_drop, service: search } }",
          "  - { at: 41m, unmanaged_service: true, labels: { alertname: PaymentsDown, service: payments } }",
          "",
        ].join("\n"),
      }),
    );

  it("reads flags, the operator's timeline and answers, alert repeats and every expectation", () => {
    const scenario = full();
    expect(scenario.flags?.ab_testing).toEqual({ enabled: true, split_percent: 10 });
    expect(scenario.timeline).toEqual([
      { at: "45m", action: "kill_switch_on", reason: "incident" },
      { after_tool: "h2o_train_model", action: "kill_switch_off" },
    ]);
    expect(scenario.alerts.map((a) => [a.status, a.repeat, a.unmanaged_service])).toEqual([
      [undefined, { times: 3, every: "30s" }, undefined],
      ["resolved", undefined, undefined],
      [undefined, undefined, true],
    ]);
    expect(scenario.expect).toMatchObject({ outcome: ["escalated", "no_action"], trajectory: { mode: "superset" }, metrics: { ndcg_at_10: { min: 0.6 } } });
  });

  it("turns the flags into the flags repository's settings, freeze windows as instants from start", () => {
    expect(scenarioFlagSettings(full())).toEqual([
      { flag: "kill_switch", enabled: false },
      { flag: "manual_approval_required", enabled: true },
      { flag: "ab_testing", enabled: true, metadata: { split_percent: 10 } },
      { flag: "cost_optimization", enabled: true, metadata: { budget_usd_per_day: 0 } },
      { flag: "max_cycles_per_day", enabled: true, metadata: { limit: 1 } },
      { flag: "change_freeze", enabled: true, metadata: { windows: [{ start: "2026-11-20T08:00:00.000Z", end: "2026-11-20T10:00:00.000Z", reason: "release" }] } },
    ]);
  });

  it("answers approvals per tool, falling back to the operator's general answer", () => {
    const scenario = full();
    expect(operatorAnswer(scenario, "argocd_sync_application")).toEqual({ approval: "reject", reason: "not today" });
    expect(operatorAnswer(scenario, "gitops_write_values")).toEqual({ approval: "approve", reason: null });
    expect(operatorAnswer(loadScenario("ndcg-drop"), "argocd_sync_application")).toEqual({ approval: "approve", reason: "looks good" });
  });

  it.each([
    ["typo-expect", { expect: "expect: { outcome: promoted, tools_forbiden: [argocd_sync_application] }" }, 'expect: Unrecognized key: "tools_forbiden"'],
    ["unknown-tool", { expect: "expect: { outcome: promoted, tools_forbidden: [argocd_deploy] }" }, 'expect.tools_forbidden[0]: "argocd_deploy" is not a tool of the platform'],
    ["both-lists", { expect: "expect: { outcome: promoted, tools_required: [h2o_train_model], tools_forbidden: [h2o_train_model] }" }, 'expect.tools_forbidden[0]: "h2o_train_model" is also in tools_required'],
    ["bad-mode", { expect: "expect: { outcome: promoted, trajectory: { tools: [h2o_train_model], mode: loose } }" }, "expect.trajectory.mode"],
    ["bad-agent", { expect: "expect: { outcome: promoted, agents: [metrics-analyst, trainer] }" }, "expect.agents[1]"],
    ["bad-outcome", { expect: "expect: { outcome: [promoted, retrained] }" }, "expect.outcome: must be one of promoted"],
    ["cycles-disagree", { expect: "expect: { outcome: [promoted, escalated], cycles: 3 }" }, "expect.cycles: is 3 but outcome lists 2 cycles"],
    ["bad-metric", { expect: "expect: { outcome: promoted, metrics: { ndcg: { min: 0.7 } } }" }, "expect.metrics"],
    ["empty-bounds", { expect: "expect: { outcome: promoted, metrics: { ndcg_at_10: {} } }" }, "expect.metrics.ndcg_at_10: must give min, max or both"],
    ["inverted-bounds", { expect: "expect: { outcome: promoted, metrics: { ndcg_at_10: { min: 0.9, max: 0.8 } } }" }, "expect.metrics.ndcg_at_10: min must not exceed max"],
    ["bad-principal", { expect: "expect: { outcome: promoted, destructive_principals: [devops] }" }, "expect.destructive_principals[0]: must be Agent:<id>"],
    ["bad-approval", { expect: "expect: { outcome: promoted, approval: maybe }" }, "expect.approval"],
    ["flag-typo", { extra: "flags: { killswitch: true }\n" }, 'flags: Unrecognized key: "killswitch"'],
    ["flag-shape", { extra: "flags: { max_cycles_per_day: 1 }\n" }, "flags.max_cycles_per_day: must be an object such as { limit: 1 }"],
    ["freeze-order", { extra: "flags: { change_freeze: { windows: [{ start: 2h, end: 1h }] } }\n" }, "flags.change_freeze.windows[0].end: must be later than start"],
    ["timeline-both", { extra: "timeline: [{ at: 30m, after_tool: h2o_train_model, action: kill_switch_on }]\n" }, "timeline[0]: must give exactly one of at and after_tool"],
    ["timeline-neither", { extra: "timeline: [{ action: kill_switch_on }]\n" }, "timeline[0]: must give exactly one of at and after_tool"],
    ["timeline-action", { extra: "timeline: [{ at: 30m, action: disable_policies }]\n" }, "timeline[0].action"],
    ["operator-tool", { operator: "operator: { approval: approve, tools: { argocd_sync: { approval: reject } } }" }, 'operator.tools.argocd_sync: "argocd_sync" is not a tool'],
    ["operator-answer", { operator: "operator: { approval: expire }" }, "operator.approval"],
    ["foreign-service", { alerts: "alerts:\n  - { at: 20m, labels: { alertname: PaymentsDown, service: payments } }\n" }, 'alerts[0].labels.service: "payments" differs from the scenario\'s service "search" (set unmanaged_service: true'],
    ["unmanaged-same", { alerts: "alerts:\n  - { at: 20m, unmanaged_service: true, labels: { alertname: X, service: search } }\n" }, "alerts[0].unmanaged_service: needs a service label other than"],
    ["repeat-once", { alerts: "alerts:\n  - { at: 20m, repeat: { times: 1, every: 1m }, labels: { alertname: X } }\n" }, "alerts[0].repeat.times"],
    ["alert-status", { alerts: "alerts:\n  - { at: 20m, status: cleared, labels: { alertname: X } }\n" }, "alerts[0].status"],
  ] as const)("rejects %s naming the field", (name, parts, expected) => {
    const error = errorOf(() => loadScenario(runVariant(name, parts)));
    expect(error.message).toContain(`${name}.yaml is invalid`);
    expect(error.message).toContain(expected);
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
    expect(schema.properties.expect.additionalProperties).toBe(false);
    expect(schema.properties.flags.properties.change_freeze.properties.windows.items.properties.start.description).toMatch(/counted from/);
    expect(schema.properties.expect.properties.trajectory.properties.mode.description).toMatch(/superset/);
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
