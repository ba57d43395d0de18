import type { Signal, WatchFinding } from "../../core/index.js";
import { fmt } from "./tool-support.js";

/** A rule watched after a deploy. */
export interface WatchRule {
  metric: string;
  /** How the rule reads in findings and reports. */
  rule: string;
  threshold: number;
  breaches: (value: number) => boolean;
}

/** One check of the watch: its instant and the last value of each metric then. */
export interface WatchCheck {
  at: string;
  values: Record<string, number>;
}

/** Renders the markdown watch report: verdict, rules, breaches, a row per check and the queries. */
export function renderWatchReport(r: {
  signal: Signal;
  service: string;
  sustained_points: number;
  check_every_minutes: number;
  data: WatchFinding;
  pre: number | undefined;
  preAt: Date;
  rules: WatchRule[];
  checks: WatchCheck[];
  queries: string[];
  stepSeconds: number;
}): string {
  const metrics = r.queries.map((q) => q.slice(0, q.indexOf("{")));
  const breaches = r.data.breaches.map((b) => `- ${b.at}: \`${b.metric}\` ${fmt(b.value)} (${b.rule}, threshold ${fmt(b.threshold)})`);
  const cell = (value: number | undefined) => (value === undefined ? "-" : fmt(value));
  return [
    `# Watch after deploy: ${r.service} (${r.signal})`,
    "",
    `- window: ${r.data.window.start} to ${r.data.window.end}`,
    `- verdict: ${r.data.degraded ? "**degraded** (stopped early)" : "healthy"}`,
    `- pre-deploy value (at ${r.preAt.toISOString()}): ${r.pre === undefined ? "none" : fmt(r.pre)}`,
    `- a breach holds for ${r.sustained_points} consecutive ${r.stepSeconds} s samples; checked every ${r.check_every_minutes} min`,
    "",
    "## Rules",
    "",
    ...r.rules.map((rule) => `- \`${rule.metric}\`: ${rule.rule} (threshold ${fmt(rule.threshold)})`),
    "",
    "## Breaches",
    "",
    ...(breaches.length ? breaches : ["none"]),
    "",
    "## Checks (last value per metric)",
    "",
    `| at | ${metrics.join(" | ")} |`,
    `|---|${metrics.map(() => "---").join("|")}|`,
    ...r.checks.map((c) => `| ${c.at} | ${metrics.map((m) => cell(c.values[m])).join(" | ")} |`),
    "",
    `## Queries (range, from the deploy to each check, ${r.stepSeconds} s step)`,
    "",
    "```promql",
    ...r.queries,
    "```",
    "",
  ].join("\n");
}
