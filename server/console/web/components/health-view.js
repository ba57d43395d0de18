// The loop's health and the weekly report, read from the report API's shapes (server/report/
// schemas.ts): figures that could not be measured are null there and show as a dash here.

import { h } from "../lib/dom.js";
import { formatDuration, formatNumber, formatTime } from "../lib/format.js";
import { href } from "../lib/router.js";
import { badge } from "./badges.js";

/**
 * The figures of a set of cycles (a week, a service's week, a report's totals).
 * @typedef {object} Figures
 * @property {number} cycles
 * @property {Record<string, number>} outcomes
 * @property {number} finished
 * @property {number | null} success_rate
 * @property {{ measured: number, mean_seconds: number | null }} cycle_time
 * @property {{ total: number, automatic: number }} rollbacks
 * @property {{ measured: number, mean_relative: number | null }} quality_gain
 * @property {{ measured: number, mean_relative: number | null }} cost_saving
 * @property {{ usd: number }} model_spend
 */

/** @typedef {Figures & { week: string, start: string }} WeekFigures */

/**
 * A ratio as a percentage; `signed` adds "+" to gains.
 * @param {number | null | undefined} ratio
 * @param {boolean} [signed]
 */
export function percent(ratio, signed = false) {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "–";
  const text = `${formatNumber(ratio * 100, 1)} %`;
  return signed && ratio > 0 ? `+${text}` : text;
}

/** @param {number | null | undefined} seconds */
const duration = (seconds) => (seconds === null || seconds === undefined ? "–" : formatDuration(seconds * 1000));

/**
 * The mean of per-week means, weighted by how many cycles each measured.
 * @param {WeekFigures[]} weeks
 * @param {(w: WeekFigures) => { measured: number, value: number | null }} pick
 */
function weightedMean(weeks, pick) {
  let sum = 0;
  let n = 0;
  for (const w of weeks) {
    const { measured, value } = pick(w);
    if (value === null || !measured) continue;
    sum += value * measured;
    n += measured;
  }
  return n ? sum / n : null;
}

/**
 * Whether a JSON value looks like the figures of the report API.
 * @param {unknown} v
 * @returns {v is Figures}
 */
export function isFigures(v) {
  return typeof v === "object" && v !== null && typeof (/** @type {any} */ (v).cycles) === "number" && typeof (/** @type {any} */ (v).rollbacks) === "object";
}

/**
 * Whether a JSON value looks like one week of the report API's health.
 * @param {unknown} v
 * @returns {v is WeekFigures}
 */
export function isWeekFigures(v) {
  return isFigures(v) && typeof (/** @type {any} */ (v).week) === "string";
}

/**
 * @param {[string, string, string][]} tiles key, label, value
 */
function tiles(tiles) {
  return h("dl", { class: "tiles" }, tiles.map(([key, label, value]) => h("div", { class: "tile", "data-key": key }, h("dt", {}, label), h("dd", {}, value))));
}

/**
 * The headline figures over several weeks, then one row per week.
 * @param {WeekFigures[]} weeks
 */
export function healthView(weeks) {
  const finished = weeks.reduce((s, w) => s + w.finished, 0);
  const succeeded = weightedMean(weeks, (w) => ({ measured: w.finished, value: w.success_rate }));
  const cycles = weeks.reduce((s, w) => s + w.cycles, 0);
  const headline = tiles([
    ["cycles_per_week", "Cycles per week", weeks.length ? formatNumber(cycles / weeks.length, 1) : "–"],
    ["success_rate", "Success rate", finished ? percent(succeeded) : "–"],
    ["cycle_time", "Average cycle time", duration(weightedMean(weeks, (w) => ({ measured: w.cycle_time.measured, value: w.cycle_time.mean_seconds })))],
    ["automatic_rollbacks", "Automatic rollbacks", String(weeks.reduce((s, w) => s + w.rollbacks.automatic, 0))],
    ["quality_gain", "Quality gained per promoted cycle", percent(weightedMean(weeks, (w) => ({ measured: w.quality_gain.measured, value: w.quality_gain.mean_relative })), true)],
    ["cost_saving", "Cost saved per cost cycle", percent(weightedMean(weeks, (w) => ({ measured: w.cost_saving.measured, value: w.cost_saving.mean_relative })), true)],
  ]);
  const columns = ["Week", "Cycles", "Success rate", "Avg cycle time", "Rollbacks (automatic)", "Quality gain", "Cost saving", "Model spend"];
  return h(
    "div",
    {},
    headline,
    h(
      "table",
      { class: "data responsive health-weeks" },
      h("caption", {}, "By week (newest first)"),
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))),
      h(
        "tbody",
        {},
        [...weeks]
          .sort((a, b) => b.start.localeCompare(a.start))
          .map((w) =>
            h(
              "tr",
              { "data-week": w.week },
              [w.week, String(w.cycles), percent(w.success_rate), duration(w.cycle_time.mean_seconds), `${w.rollbacks.total} (${w.rollbacks.automatic})`, percent(w.quality_gain.mean_relative, true), percent(w.cost_saving.mean_relative, true), `$${formatNumber(w.model_spend.usd, 2)}`].map((v, i) =>
                h("td", { "data-label": /** @type {string} */ (columns[i]) }, v),
              ),
            ),
          ),
      ),
    ),
  );
}

/**
 * The figures of one set of cycles as tiles.
 * @param {Figures} f
 */
export function figureTiles(f) {
  return tiles([
    ["cycles", "Cycles", String(f.cycles)],
    ["success_rate", "Success rate", percent(f.success_rate)],
    ["cycle_time", "Average cycle time", duration(f.cycle_time.mean_seconds)],
    ["rollbacks", "Rollbacks (automatic)", `${f.rollbacks.total} (${f.rollbacks.automatic})`],
    ["quality_gain", "Quality gained per promoted cycle", percent(f.quality_gain.mean_relative, true)],
    ["cost_saving", "Cost saved per cost cycle", percent(f.cost_saving.mean_relative, true)],
    ["model_spend", "Model spend", `$${formatNumber(f.model_spend.usd, 2)}`],
  ]);
}

/**
 * The weekly report: totals, outcomes, services, gains per metric, the cycles to read, definitions.
 * @param {any} report
 */
export function weeklyView(report) {
  const outcomes = Object.entries(report.totals.outcomes ?? {});
  return h(
    "div",
    { class: "weekly", "data-week": report.week },
    h("p", { class: "muted" }, `${report.week}: ${formatTime(report.start)} to ${formatTime(report.end)} · generated ${formatTime(report.generated_at)}`),
    figureTiles(report.totals),
    outcomes.length ? h("p", {}, `Outcomes: ${outcomes.map(([k, n]) => `${n} ${k.replaceAll("_", " ")}`).join(", ")}`) : null,
    report.services?.length
      ? simpleTable(
          "By service",
          ["Service", "Cycles", "Success rate", "Avg cycle time", "Rollbacks (automatic)", "Quality gain"],
          report.services.map((/** @type {any} */ s) => [s.service ?? "unknown", String(s.cycles), percent(s.success_rate), duration(s.cycle_time.mean_seconds), `${s.rollbacks.total} (${s.rollbacks.automatic})`, percent(s.quality_gain.mean_relative, true)]),
        )
      : null,
    report.quality_by_metric?.length
      ? simpleTable(
          "Quality gained by metric",
          ["Metric", "Cycles", "Mean gain", "Relative"],
          report.quality_by_metric.map((/** @type {any} */ m) => [m.metric, String(m.cycles), formatNumber(m.mean_gain, 4), percent(m.mean_relative_gain, true)]),
        )
      : null,
    h("h3", {}, `Cycles to read (${report.notable?.total ?? 0})`),
    report.notable?.cycles?.length
      ? h(
          "ul",
          { class: "notable" },
          report.notable.cycles.map((/** @type {any} */ c) => h("li", {}, h("a", { href: href("cycles", c.id) }, c.id), " ", badge(c.kind), c.automatic_rollback ? " (automatic)" : null, ` ${c.service ?? ""} ${c.signal ?? ""}: ${c.reason}`)),
        )
      : h("p", { class: "muted" }, "None: no cycle escalated, rolled back or failed this week."),
    report.definitions
      ? h(
          "details",
          {},
          h("summary", {}, "How each figure is counted"),
          h("dl", {}, Object.entries(report.definitions).flatMap(([k, v]) => [h("dt", {}, k.replaceAll("_", " ")), h("dd", {}, String(v))])),
        )
      : null,
  );
}

/**
 * @param {string} caption
 * @param {string[]} columns
 * @param {string[][]} rows
 */
function simpleTable(caption, columns, rows) {
  return h(
    "table",
    { class: "data responsive" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((v, i) => h("td", { "data-label": /** @type {string} */ (columns[i]) }, v))))),
  );
}
