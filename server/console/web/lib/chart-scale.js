// The geometry of the metric chart, apart from the DOM so that it can be tested on its own: scales,
// ticks a person would choose, and rows for mark labels so that close marks do not overprint.

/** @typedef {import("../types.js").Chart} Chart */

/**
 * @typedef {object} ChartLayout
 * @property {number} width
 * @property {number} height
 * @property {{ top: number, right: number, bottom: number, left: number }} plot the plot area's edges
 * @property {string} path the series as an SVG path ("" without samples)
 * @property {{ x: number, y: number, t: string, v: number }[]} points the series' samples, placed
 * @property {{ x: number, y: number, t: string, v: number, score: number }[]} anomalies
 * @property {{ x: number, row: number, t: string, kind: string, label: string }[]} marks each mark's line; `row` is its label's (-1: unlabelled)
 * @property {{ x: number, row: number, anchor: "start" | "end", kind: string, text: string }[]} labels
 * @property {{ y: number, value: number }[]} yTicks
 * @property {{ x: number, t: number }[]} xTicks
 * @property {boolean} multiDay whether the x axis spans more than a day (its labels then carry dates)
 */

const LABEL_CHAR_PX = 6.6;
const LABEL_ROW_PX = 15;
const MAX_LABEL_ROWS = 3;
const MAX_LABEL_CHARS = 34;

/**
 * A step of 1, 2, 2.5 or 5 times a power of ten near `raw`.
 * @param {number} raw
 */
export function niceStep(raw) {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return nice * power;
}

/**
 * About `count` round values covering [min, max].
 * @param {number} min
 * @param {number} max
 * @param {number} count
 */
export function niceTicks(min, max, count) {
  const step = niceStep((max - min) / Math.max(1, count));
  const out = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const TIME_STEPS_MIN = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080];

/**
 * Instants on whole minutes (or hours, days) with about `count` of them in [start, end].
 * @param {number} start
 * @param {number} end
 * @param {number} count
 */
export function timeTicks(start, end, count) {
  const wantMin = (end - start) / 60_000 / Math.max(1, count);
  const stepMin = TIME_STEPS_MIN.find((s) => s >= wantMin) ?? TIME_STEPS_MIN[TIME_STEPS_MIN.length - 1];
  const step = /** @type {number} */ (stepMin) * 60_000;
  const out = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) out.push(t);
  return out;
}

/**
 * Places a chart's series, anomalies and marks in a `width` x `height` box.
 * @param {Chart} chart
 * @param {number} width
 * @param {number} height
 * @returns {ChartLayout}
 */
export function layoutChart(chart, width, height) {
  const times = [...chart.series, ...chart.anomalies, ...chart.marks].map((p) => Date.parse(p.t)).filter(Number.isFinite);
  const values = [...chart.series, ...chart.anomalies].map((p) => p.v).filter(Number.isFinite);
  let t0 = Math.min(...times);
  let t1 = Math.max(...times);
  if (!Number.isFinite(t0)) t0 = t1 = Date.now();
  if (t1 === t0) t1 = t0 + 60_000;
  let v0 = Math.min(...values);
  let v1 = Math.max(...values);
  if (!Number.isFinite(v0)) v0 = v1 = 0;
  const pad = v1 === v0 ? Math.abs(v0) * 0.1 || 1 : (v1 - v0) * 0.08;
  v0 -= pad;
  v1 += pad;

  const markRows = chart.marks.length === 0 ? 0 : MAX_LABEL_ROWS;
  const plot = { top: 12 + markRows * LABEL_ROW_PX, right: width - 14, bottom: height - 26, left: 58 };
  const x = (/** @type {number} */ t) => plot.left + ((t - t0) / (t1 - t0)) * (plot.right - plot.left);
  const y = (/** @type {number} */ v) => plot.bottom - ((v - v0) / (v1 - v0)) * (plot.bottom - plot.top);

  const points = chart.series.map((p) => ({ ...p, x: x(Date.parse(p.t)), y: y(p.v) }));
  const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
  const anomalies = chart.anomalies.map((p) => ({ ...p, x: x(Date.parse(p.t)), y: y(p.v) }));
  const yTicks = niceTicks(v0, v1, Math.max(2, Math.floor((plot.bottom - plot.top) / 40))).map((value) => ({ value, y: y(value) }));
  const xTicks = timeTicks(t0, t1, Math.max(2, Math.floor((plot.right - plot.left) / 90))).map((t) => ({ t, x: x(t) }));
  return { width, height, plot, path, points, anomalies, ...placeMarks(chart.marks, x, plot), yTicks, xTicks, multiDay: t1 - t0 > 86_400_000 };
}

/** Which labels get a row first when there are too few: what changed the platform before approvals. */
const LABEL_PRIORITY = ["alert", "rollback", "deploy", "approval"];
/** Marks of one kind closer than this (px) share a label ("approval ×3"). */
const SAME_PLACE_PX = 8;

/**
 * Labels for the marks, in rows above the plot. Marks of a kind at about the same place share one
 * label; labels are placed by priority (alert, rollback, deploy, approval), each in the first row
 * where it overlaps no other; one that fits nowhere is left out (its line stays, and the legend and
 * the data table name it) rather than printed over another.
 * @param {import("../types.js").ChartMark[]} marks
 * @param {(t: number) => number} x
 * @param {{ left: number, right: number }} plot
 */
function placeMarks(marks, x, plot) {
  const placed = [...marks].sort((a, b) => Date.parse(a.t) - Date.parse(b.t)).map((m) => ({ ...m, x: x(Date.parse(m.t)), row: -1 }));
  /** @type {(typeof placed)[]} */
  const groups = [];
  for (const m of placed) {
    const group = groups.find((g) => g[0]?.kind === m.kind && Math.abs(/** @type {number} */ (g[0]?.x) - m.x) < SAME_PLACE_PX);
    if (group) group.push(m);
    else groups.push([m]);
  }
  const rank = (/** @type {string} */ kind) => (LABEL_PRIORITY.includes(kind) ? LABEL_PRIORITY.indexOf(kind) : LABEL_PRIORITY.length);
  groups.sort((a, b) => rank(/** @type {string} */ (a[0]?.kind)) - rank(/** @type {string} */ (b[0]?.kind)));
  /** @type {[number, number][][]} */
  const rows = Array.from({ length: MAX_LABEL_ROWS }, () => []);
  const labels = [];
  for (const group of groups) {
    const first = /** @type {(typeof placed)[number]} */ (group[0]);
    const same = group.every((m) => m.label === first.label);
    const full = group.length === 1 ? `${first.kind}: ${first.label}` : `${first.kind} ×${group.length}${same ? `: ${first.label}` : ""}`;
    const text = full.length > MAX_LABEL_CHARS ? `${full.slice(0, MAX_LABEL_CHARS - 1)}…` : full;
    const w = text.length * LABEL_CHAR_PX;
    const anchor = first.x + w > plot.right ? "end" : "start";
    const from = anchor === "start" ? first.x : first.x - w;
    const row = rows.findIndex((spans) => spans.every(([a, b]) => from + w + 6 <= a || b + 6 <= from));
    if (row === -1) continue;
    /** @type {[number, number][]} */ (rows[row]).push([from, from + w]);
    for (const m of group) m.row = row;
    labels.push({ x: first.x, row, anchor: /** @type {"start" | "end"} */ (anchor), kind: first.kind, text });
  }
  return { marks: placed, labels };
}
