import type { HealthFigures, NotableCycle, WeeklyReport } from "./schemas.js";

const NOT_MEASURED = "not measured";
const DASH = "—";

/** A ratio as a percentage, e.g. 0.4233 -> "42.3%". */
export function formatPercent(ratio: number, signed = false): string {
  const text = `${(ratio * 100).toFixed(1)}%`;
  return signed && ratio > 0 ? `+${text}` : text;
}

/** Seconds as the two largest units, e.g. 6814 -> "1h 53m". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const units: Array<[string, number]> = [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ];
  const first = units.findIndex(([, size]) => s >= size);
  const [bigName, bigSize] = units[first]!;
  const [smallName, smallSize] = units[first + 1]!;
  return `${Math.floor(s / bigSize)}${bigName} ${Math.floor((s % bigSize) / smallSize)}${smallName}`;
}

/** Dollars with cents, or more digits for amounts under a cent. */
export function formatUsd(usd: number): string {
  return usd > 0 && usd < 0.01 ? `$${usd.toPrecision(2)}` : `$${usd.toFixed(2)}`;
}

const int = (n: number) => n.toLocaleString("en-US");
const plural = (n: number, one: string, many = `${one}s`) => `${int(n)} ${n === 1 ? one : many}`;
/** A table cell: no pipe or line break may end it early. */
const cell = (text: string) => text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
const row = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
const table = (head: string[], rows: string[][]) => [row(head), `| ${head.map(() => "---").join(" | ")} |`, ...rows.map(row)];
const active = (f: HealthFigures) => f.statuses.queued + f.statuses.running + f.statuses.awaiting_approval;

function successText(f: HealthFigures): string {
  if (f.success_rate === null) return `${NOT_MEASURED} (no finished cycle)`;
  return `${formatPercent(f.success_rate)} (${int(f.outcomes.promoted + f.outcomes.no_action)} of ${plural(f.finished, "finished cycle")})`;
}

function cycleTimeText(f: HealthFigures): string {
  const t = f.cycle_time;
  if (t.mean_seconds === null || t.p50_seconds === null || t.p90_seconds === null) return `${NOT_MEASURED} (no finished cycle)`;
  return `mean ${formatDuration(t.mean_seconds)}, p50 ${formatDuration(t.p50_seconds)}, p90 ${formatDuration(t.p90_seconds)} (${plural(t.measured, "cycle")})`;
}

function qualityText(f: HealthFigures): string {
  const q = f.quality_gain;
  if (q.mean_relative === null) return `${NOT_MEASURED} (no promoted cycle with a gated metric)`;
  return `${formatPercent(q.mean_relative, true)} on the gated metric (${plural(q.measured, "cycle")} measured)`;
}

function costText(f: HealthFigures): string {
  const c = f.cost_saving;
  if (c.mean_relative === null || c.mean_budget_share_before === null || c.mean_budget_share_after === null) return `${NOT_MEASURED} (no promoted cost cycle)`;
  const shares = `budget share ${formatPercent(c.mean_budget_share_before)} -> ${formatPercent(c.mean_budget_share_after)}`;
  return `${formatPercent(c.mean_relative, true)} (${shares}, ${plural(c.measured, "cycle")} measured); in dollars: ${NOT_MEASURED}`;
}

function summary(f: HealthFigures): string[] {
  const o = f.outcomes;
  const spend = f.model_spend;
  return table(
    ["Figure", "Value"],
    [
      ["Cycles", `${int(f.cycles)} (${int(f.finished)} finished, ${int(active(f))} active)`],
      ["Outcomes", `${int(o.promoted)} promoted, ${int(o.rolled_back)} rolled back, ${int(o.escalated)} escalated, ${int(o.no_action)} no action, ${int(f.statuses.failed)} failed`],
      ["Success rate", successText(f)],
      ["Cycle time", cycleTimeText(f)],
      ["Automatic rollbacks", `${int(f.rollbacks.automatic)} of ${plural(f.rollbacks.total, "rollback")}`],
      ["Quality gained per promoted cycle", qualityText(f)],
      ["Cost saved per promoted cost cycle", costText(f)],
      ["Model spend", `${formatUsd(spend.usd)} (${plural(spend.model_calls, "model call")}, ${int(spend.input_tokens)} input and ${int(spend.output_tokens)} output tokens)`],
    ],
  );
}

function services(report: WeeklyReport): string[] {
  if (report.services.length === 0) return ["No cycle this week."];
  const opt = (v: number | null, show: (v: number) => string) => (v === null ? DASH : show(v));
  return [
    ...table(
      ["Service", "Cycles", "Promoted", "Rolled back", "Escalated", "No action", "Failed", "Active", "Success rate", "Mean cycle time", "Quality gained", "Cost saved", "Model spend"],
      report.services.map((s) => [
        s.service ?? "(no service)",
        int(s.cycles),
        int(s.outcomes.promoted),
        `${int(s.outcomes.rolled_back)}${s.rollbacks.total > 0 ? ` (${int(s.rollbacks.automatic)} automatic)` : ""}`,
        int(s.outcomes.escalated),
        int(s.outcomes.no_action),
        int(s.statuses.failed),
        int(active(s)),
        opt(s.success_rate, (v) => formatPercent(v)),
        opt(s.cycle_time.mean_seconds, formatDuration),
        opt(s.quality_gain.mean_relative, (v) => formatPercent(v, true)),
        opt(s.cost_saving.mean_relative, (v) => formatPercent(v, true)),
        formatUsd(s.model_spend.usd),
      ]),
    ),
    "",
    `${DASH}: ${NOT_MEASURED} (nothing to measure it on).`,
  ];
}

function gains(report: WeeklyReport): string[] {
  if (report.quality_by_metric.length === 0) return ["No promoted cycle had a gated metric measured on both models."];
  const signed = (v: number) => (v > 0 ? `+${Number(v.toPrecision(4))}` : String(Number(v.toPrecision(4))));
  return table(
    ["Metric", "Promoted cycles", "Mean gain", "Mean relative gain"],
    report.quality_by_metric.map((m) => [m.metric, int(m.cycles), signed(m.mean_gain), m.mean_relative_gain === null ? DASH : formatPercent(m.mean_relative_gain, true)]),
  );
}

function why(c: NotableCycle): string {
  const reason = c.reason.length > 300 ? `${c.reason.slice(0, 299)}…` : c.reason;
  const f = c.failure;
  return f ? `${reason} (stopped at ${f.step}: ${f.tool}, ${f.system ? `${f.system} ` : ""}${f.code})` : reason;
}

function notable(report: WeeklyReport): string[] {
  const { total, cycles } = report.notable;
  if (total === 0) return ["None: no cycle escalated, rolled back or failed."];
  const kind = (c: NotableCycle) => (c.kind === "rolled_back" ? `rolled back (${c.automatic_rollback ? "automatic" : "approved by a human"})` : c.kind);
  const lines = table(
    ["Cycle", "Outcome", "Service", "Signal", "Why"],
    cycles.map((c) => [c.id, kind(c), c.service ?? DASH, c.signal ?? DASH, why(c)]),
  );
  if (total > cycles.length) lines.push("", `${int(total - cycles.length)} more not listed; \`npx autopilot cycles\` lists them all.`);
  return lines;
}

const DEFINITION_TITLES: Record<string, string> = {
  week: "Week",
  success_rate: "Success rate",
  cycle_time: "Cycle time",
  automatic_rollbacks: "Automatic rollbacks",
  quality_gain: "Quality gained",
  cost_saving: "Cost saved",
  model_spend: "Model spend",
};

/** The weekly report as markdown: a heading, the summary, per service, gains per metric, notable cycles, and how each figure is counted. */
export function renderWeeklyMarkdown(report: WeeklyReport): string {
  const day = (iso: string) => iso.slice(0, 10);
  const lastDay = new Date(new Date(report.end).getTime() - 86_400_000).toISOString();
  return [
    `# Autopilot weekly report: ${report.week}`,
    "",
    `${day(report.start)} to ${day(lastDay)} (UTC), generated ${report.generated_at.slice(0, 16).replace("T", " ")} UTC.`,
    "",
    "## Summary",
    "",
    ...summary(report.totals),
    "",
    "## By service",
    "",
    ...services(report),
    "",
    "## Quality gained by gated metric",
    "",
    ...gains(report),
    "",
    "## Notable cycles",
    "",
    ...notable(report),
    "",
    "## How these are counted",
    "",
    ...Object.entries(report.definitions).map(([key, text]) => `- **${DEFINITION_TITLES[key] ?? key}**: ${text}`),
    "",
  ].join("\n");
}
