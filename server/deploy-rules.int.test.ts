import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { parse as parseYaml } from "yaml";
import { DEFAULT_TRIGGER_CONTRACT, INTERNAL_SIGNALS, SIGNALS, segmentMetric } from "../core/index.js";
import { DEFAULT_ALERT_SIGNALS } from "./alerts/classify.js";
import { findBinary, missingBinaries } from "./testing/monitoring.js";

// The Prometheus rules and the Alertmanager receiver the project ships in deploy/: checked against
// the trigger contract here, and by promtool and amtool (their syntax, and the rules' unit tests in
// deploy/prometheus/rules.test.yml) when they are installed.

const DEPLOY = path.resolve(import.meta.dirname, "..", "deploy");
const RECORDING = path.join(DEPLOY, "prometheus", "recording.rules.yml");
const ALERTING = path.join(DEPLOY, "prometheus", "alerting.rules.yml");

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = (file: string): Rule[] => (parseYaml(readFileSync(file, "utf8")) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

/** The segment labels the metrics-analyst breaks each signal down by (agents/runbook). */
const BREAKDOWNS: Record<string, string> = { ndcg_drop: "topic", recall_drop: "topic", etl_backlog: "processor" };

describe("the shipped rules and the trigger contract", () => {
  it("record every series the contract names: signals, baselines, their breakdowns, guardrails", () => {
    const recorded = new Set(rules(RECORDING).map((r) => r.record));
    const c = DEFAULT_TRIGGER_CONTRACT;
    const needed = new Set<string>(c.guardrails.map((g) => g.metric));
    for (const [signal, s] of Object.entries(c.signals)) {
      if (INTERNAL_SIGNALS.includes(signal as (typeof SIGNALS)[number])) continue;
      needed.add(s.metric);
      if (s.baselineMetric) needed.add(s.baselineMetric);
      const by = BREAKDOWNS[signal];
      if (by) needed.add(segmentMetric(s.metric, by)).add(segmentMetric(s.baselineMetric ?? s.metric, by));
    }
    expect([...needed].filter((m) => !recorded.has(m))).toEqual([]);
    // search_stage:latency_p95_seconds, the latency breakdown by stage, has no raw input (see the file's header).
    expect(recorded.has("search_stage:latency_p95_seconds")).toBe(false);
  });

  it("alert on every signal with the contract's threshold, the labels the webhook classifies by and the annotations it records", () => {
    const alerts = rules(ALERTING);
    expect(alerts.map((a) => a.labels?.signal).sort()).toEqual(SIGNALS.filter((s) => !INTERNAL_SIGNALS.includes(s)).sort());
    for (const alert of alerts) {
      const signal = alert.labels!.signal as (typeof SIGNALS)[number];
      const contract = DEFAULT_TRIGGER_CONTRACT.signals[signal];
      expect(DEFAULT_ALERT_SIGNALS[alert.alert!], alert.alert).toBe(signal);
      expect(alert.labels!.severity, alert.alert).toMatch(/^(warning|critical)$/);
      expect(alert.for, alert.alert).toMatch(/^\d+m$/);
      expect(Object.keys(alert.annotations ?? {}).sort(), alert.alert).toEqual(["baseline", "summary", "value"]);
      expect(alert.annotations!.value).toBe("{{ $value }}");
      expect(alert.expr).toContain(contract.metric);
      // The condition ends the expression: `<= on (service) <1 - fraction> * <baseline>`, `> <value>` or `< <value>`.
      const rule = contract.trigger;
      const [pattern, threshold] =
        rule.kind === "relative_drop"
          ? [String.raw`<= on \(service\) ([0-9.]+) \* ${contract.baselineMetric}$`, 1 - rule.fraction]
          : [String.raw`${rule.kind === "above" ? ">" : "<"} ([0-9.]+)$`, rule.value];
      const found = new RegExp(pattern).exec(alert.expr.trim());
      expect(found, `${alert.alert}: ${alert.expr}`).not.toBeNull();
      expect(Number(found![1]), alert.alert).toBeCloseTo(threshold, 9);
    }
  });
});

const missingPromtool = missingBinaries("promtool");
const promtoolTitle = "promtool on deploy/prometheus";
if (missingPromtool) console.warn(`skipped: ${promtoolTitle}: ${missingPromtool}`);

describe.skipIf(missingPromtool !== null)(missingPromtool ? `${promtoolTitle} (skipped: ${missingPromtool})` : promtoolTitle, () => {
  const promtool = (...args: string[]) => tool(findBinary("promtool")!, args);

  it("checks both rule files", async () => {
    const r = await promtool("check", "rules", RECORDING, ALERTING);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("refuses a rule file with a broken expression (the check is not vacuous)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "autopilot-rules-"));
    try {
      const broken = path.join(dir, "broken.rules.yml");
      writeFileSync(broken, readFileSync(RECORDING, "utf8").replace("avg by (service, variant) (search_ndcg_at_10)", "avg by (service, variant) (search_ndcg_at_10"));
      const r = await promtool("check", "rules", broken);
      expect(r.code).not.toBe(0);
      expect(r.output).toContain("FAILED");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("passes the rules' unit tests: NDCG@10 recorded by variant and topic, its baseline, the NDCG and latency alerts", async () => {
    const r = await promtool("test", "rules", path.join(DEPLOY, "prometheus", "rules.test.yml"));
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("SUCCESS");
  });

  it("checks the example configuration with the rule files it loads", async () => {
    const r = await promtool("check", "config", path.join(DEPLOY, "prometheus", "prometheus.example.yml"));
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("SUCCESS: 2 rule files found");
  });
});

const missingAmtool = missingBinaries("amtool");
const amtoolTitle = "amtool on deploy/alertmanager";
if (missingAmtool) console.warn(`skipped: ${amtoolTitle}: ${missingAmtool}`);

describe.skipIf(missingAmtool !== null)(missingAmtool ? `${amtoolTitle} (skipped: ${missingAmtool})` : amtoolTitle, () => {
  it("checks the example configuration", async () => {
    const r = await tool(findBinary("amtool")!, ["check-config", path.join(DEPLOY, "alertmanager", "alertmanager.example.yml")]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("1 receivers");
  });
});

/** Runs a command line tool; its exit code and what it printed (stdout and stderr). */
async function tool(binary: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const r = await promisify(execFile)(binary, args, { timeout: 60_000 });
    return { code: 0, output: r.stdout + r.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}
