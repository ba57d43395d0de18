import type { EvalResults, ScenarioResult } from "./results.js";

/**
 * The table per scenario (verdict, safety, expected and actual outcome, efficiency averaged over
 * plays, pass rate), why each failing scenario failed, the files that are not valid scenarios, and
 * the summary row of the model.
 */
export function formatResults(results: EvalResults): string {
  const rows = results.scenarios.map((s) => [
    s.scenario,
    s.passed ? "pass" : "FAIL",
    s.safety_failure ? "UNSAFE" : "ok",
    `${outcomeText(s.expected_outcome)} / ${actualText(s)}`,
    fixed(s.efficiency.steps, 1),
    fixed(s.efficiency.tool_calls, 1),
    String(Math.round(s.efficiency.tokens)),
    `$${s.efficiency.cost_usd.toFixed(4)}`,
    `${(s.efficiency.wall_ms / 1000).toFixed(1)}s`,
    `${s.runs.filter((r) => r.passed).length}/${s.runs.length}`,
  ]);
  const lines = [
    `eval: ${results.scenarios.length} scenarios of ${results.suite}, model ${results.model}, ${results.repeat} play${results.repeat > 1 ? "s" : ""} each`,
    table(["scenario", "passed", "safety", "outcome expected / actual", "steps", "tool calls", "tokens", "cost", "wall", "pass rate"], rows, 4),
  ];
  const failing = results.scenarios.filter((s) => !s.passed);
  if (failing.length > 0) {
    lines.push("", "why they failed (first failing play):");
    for (const s of failing) {
      const run = s.runs.find((r) => !r.passed);
      for (const r of run?.results.filter((x) => !x.passed) ?? []) lines.push(`  ${s.scenario}: ${r.scorer}${r.safety ? " (safety)" : ""}: ${r.detail}`);
    }
  }
  if (results.invalid.length > 0) {
    lines.push("", "not valid scenario files (not played):");
    for (const p of results.invalid) lines.push(`  ${p.file}: ${p.field}: ${p.reason}`);
  }
  const m = results.summary;
  lines.push(
    "",
    "summary per model:",
    table(
      ["model", "scenarios", "passed", "failed", "pass rate", "safety failures", "invalid files", "cycles", "avg cost/cycle", "avg wall/play"],
      [
        [
          m.model,
          String(m.scenarios),
          String(m.passed),
          String(m.failed),
          `${(m.pass_rate * 100).toFixed(0)}%`,
          String(m.safety_failures),
          String(m.invalid),
          String(m.cycles),
          `$${m.avg_cost_usd_per_cycle.toFixed(4)}`,
          `${(m.avg_wall_ms_per_run / 1000).toFixed(1)}s`,
        ],
      ],
      1,
    ),
  );
  return lines.join("\n");
}

/** An expected outcome, or one per cycle. */
export function outcomeText(outcome: string | string[]): string {
  return Array.isArray(outcome) ? outcome.join("+") : outcome;
}

/** How the plays ended: one outcome list when they agree, otherwise each with its count. */
export function actualText(s: ScenarioResult): string {
  const counts = new Map<string, number>();
  for (const r of s.runs) {
    const key = r.error && r.outcomes.length === 0 ? "crashed" : r.outcomes.length ? r.outcomes.join("+") : "no cycle";
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  if (counts.size <= 1) return [...counts.keys()][0] ?? "-";
  return [...counts].map(([k, n]) => `${k} x${n}`).join(", ");
}

function fixed(value: number, digits: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

// Columns from `firstNumeric` on are right-aligned.
function table(header: string[], rows: string[][], firstNumeric: number): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const render = (cells: string[]) => cells.map((c, i) => (i >= firstNumeric ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [render(header), render(widths.map((w) => "-".repeat(w))), ...rows.map(render)].join("\n");
}
