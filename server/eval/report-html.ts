import type { EvalResults, ScenarioResult } from "./results.js";
import { actualText, outcomeText } from "./report-text.js";

const COLORS = { pass: "#2e7d32", fail: "#c62828", unsafe: "#6a1b9a", bar: "#1565c0" };

/**
 * A self-contained HTML report (inline CSS and SVG, nothing fetched): the summary, pass rate per
 * scenario, efficiency bars (tool calls, wall time, tokens and cost when a model spent any), the
 * table with the failing scorers, and the files that are not valid scenarios.
 */
export function renderHtml(results: EvalResults): string {
  const m = results.summary;
  const verdictColor = (s: ScenarioResult) => (s.safety_failure ? COLORS.unsafe : s.passed ? COLORS.pass : COLORS.fail);
  const charts = [
    barChart("Pass rate per scenario", results.scenarios.map((s) => ({ label: s.scenario, value: s.pass_rate, max: 1, text: `${Math.round(s.pass_rate * 100)}%${s.safety_failure ? " unsafe" : ""}`, color: verdictColor(s) }))),
    efficiencyChart(results, "Tool calls per play", (s) => s.efficiency.tool_calls, (v) => v.toFixed(1)),
    efficiencyChart(results, "Wall time per play", (s) => s.efficiency.wall_ms / 1000, (v) => `${v.toFixed(1)} s`),
  ];
  if (results.scenarios.some((s) => s.efficiency.tokens > 0)) charts.push(efficiencyChart(results, "Tokens per play", (s) => s.efficiency.tokens, (v) => String(Math.round(v))));
  if (results.scenarios.some((s) => s.efficiency.cost_usd > 0)) charts.push(efficiencyChart(results, "Model cost per play", (s) => s.efficiency.cost_usd, (v) => `$${v.toFixed(4)}`));
  const rows = results.scenarios.map((s) => {
    const failing = s.runs.flatMap((r, i) => r.results.filter((x) => !x.passed).map((x) => `play ${i + 1}: ${x.scorer}${x.safety ? " (safety)" : ""}: ${x.detail}`));
    const errors = s.runs.flatMap((r, i) => (r.error ? [`play ${i + 1} crashed: ${r.error}`] : []));
    return `<tr><td><b>${esc(s.scenario)}</b><br><small>${esc(s.title)}</small></td><td style="color:${verdictColor(s)}">${s.passed ? "pass" : "FAIL"}</td><td>${s.safety_failure ? "UNSAFE" : "ok"}</td><td>${esc(outcomeText(s.expected_outcome))} / ${esc(actualText(s))}</td><td>${s.efficiency.steps}</td><td>${s.efficiency.tool_calls}</td><td>${Math.round(s.efficiency.tokens)}</td><td>$${s.efficiency.cost_usd.toFixed(4)}</td><td>${(s.efficiency.wall_ms / 1000).toFixed(1)} s</td><td>${s.runs.filter((r) => r.passed).length}/${s.runs.length}</td><td><small>${[...errors, ...failing].map(esc).join("<br>")}</small></td></tr>`;
  });
  const invalid = results.invalid.map((p) => `<li><code>${esc(p.file)}</code>: <b>${esc(p.field)}</b>: ${esc(p.reason)}</li>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Eval ${esc(results.model)}: ${m.passed}/${m.scenarios} passed</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#212121}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem}td:not(:first-child):not(:last-child){white-space:nowrap}td,th{border-bottom:1px solid #ddd;padding:.35rem .6rem;text-align:left;vertical-align:top}
.summary td{font-size:1rem}.charts{display:flex;flex-wrap:wrap;gap:2rem}svg text{font-size:11px;font-family:system-ui,sans-serif}
</style></head><body>
<h1>Eval of ${esc(results.suite)} with ${esc(results.model)}</h1>
<p>${esc(results.started_at)} to ${esc(results.finished_at)}, ${results.repeat} play${results.repeat > 1 ? "s" : ""} per scenario.</p>
<table class="summary"><tr><th>scenarios</th><th>passed</th><th>failed</th><th>pass rate</th><th>safety failures</th><th>invalid files</th><th>cycles</th><th>avg cost/cycle</th><th>avg wall/play</th></tr>
<tr><td>${m.scenarios}</td><td>${m.passed}</td><td>${m.failed}</td><td>${Math.round(m.pass_rate * 100)}%</td><td>${m.safety_failures}</td><td>${m.invalid}</td><td>${m.cycles}</td><td>$${m.avg_cost_usd_per_cycle.toFixed(4)}</td><td>${(m.avg_wall_ms_per_run / 1000).toFixed(1)} s</td></tr></table>
<h2>Charts</h2><div class="charts">${charts.join("\n")}</div>
<h2>Scenarios</h2>
<table><tr><th>scenario</th><th>passed</th><th>safety</th><th>outcome expected / actual</th><th>steps</th><th>tool calls</th><th>tokens</th><th>cost</th><th>wall</th><th>pass rate</th><th>failing scorers</th></tr>
${rows.join("\n")}</table>
${invalid.length ? `<h2>Not valid scenario files (not played)</h2><ul>${invalid.join("")}</ul>` : ""}
</body></html>
`;
}

interface Bar {
  label: string;
  value: number;
  max: number;
  text: string;
  color: string;
}

function efficiencyChart(results: EvalResults, title: string, value: (s: ScenarioResult) => number, text: (v: number) => string): string {
  const max = Math.max(...results.scenarios.map(value), 0);
  return barChart(title, results.scenarios.map((s) => ({ label: s.scenario, value: value(s), max, text: text(value(s)), color: COLORS.bar })));
}

// A horizontal bar per row: the label, a bar scaled to the row's max, the value's text after it.
function barChart(title: string, bars: Bar[]): string {
  const labelWidth = Math.min(260, 12 + 6.5 * Math.max(8, ...bars.map((b) => b.label.length)));
  const barWidth = 220;
  const rowHeight = 18;
  const height = 24 + bars.length * rowHeight;
  const width = labelWidth + barWidth + 90;
  const rows = bars.map((b, i) => {
    const y = 20 + i * rowHeight;
    const w = b.max > 0 ? Math.max(1, (b.value / b.max) * barWidth) : 1;
    return `<text x="${labelWidth - 6}" y="${y + 12}" text-anchor="end">${esc(b.label)}</text><rect x="${labelWidth}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowHeight - 5}" fill="${b.color}"/><text x="${labelWidth + w + 4}" y="${y + 12}">${esc(b.text)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${esc(title)}"><text x="0" y="12" font-weight="bold">${esc(title)}</text>${rows.join("")}</svg>`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
