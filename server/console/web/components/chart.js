// The chart of a cycle's trigger metric: the series, the points the detector flagged, and the
// instants the loop acted (alert, deploy, rollback, approval) as labelled vertical lines. Drawn at
// the width of its container (redrawn when that changes) so text stays readable on a phone.

import { append, h, replace, svg } from "../lib/dom.js";
import { layoutChart } from "../lib/chart-scale.js";
import { formatClock, formatNumber, formatTime } from "../lib/format.js";

/** @typedef {import("../types.js").Chart} Chart */

const HEIGHT = 280;

/** The baseline of a row of mark labels, above the plot. */
const labelY = (/** @type {number} */ row) => 12 + row * 15;

/**
 * A figure with the chart, its legend and its data as a table; it redraws itself on resize until
 * `signal` aborts.
 * @param {Chart} chart
 * @param {AbortSignal} signal
 */
export function metricChart(chart, signal) {
  const title = chart.metric ? `${chart.metric.title ?? chart.metric.signal} of ${chart.metric.service}` : "Trigger metric";
  const holder = h("div", { class: "chart-holder" });
  const figure = h("figure", { class: "chart" }, h("figcaption", {}, title, chart.metric?.unit ? ` (${chart.metric.unit})` : null), holder);
  if (chart.series.length === 0) {
    replace(holder, h("p", { class: "muted" }, chart.unavailable ? `No series to draw: ${chart.unavailable}.` : "No samples of this metric in the cycle's window yet."));
  }
  let drawnWidth = 0;
  const draw = () => {
    const width = Math.max(280, Math.round(holder.clientWidth || 640));
    if (width === drawnWidth) return;
    drawnWidth = width;
    if (chart.series.length > 0 || chart.anomalies.length > 0) replace(holder, drawChart(chart, width, title));
  };
  const observer = new ResizeObserver(draw);
  observer.observe(holder);
  signal.addEventListener("abort", () => observer.disconnect(), { once: true });
  append(figure, [legend(chart), dataTable(chart)]);
  draw();
  return figure;
}

/**
 * @param {Chart} chart
 * @param {number} width
 * @param {string} title
 */
function drawChart(chart, width, title) {
  const L = layoutChart(chart, width, HEIGHT);
  const { plot } = L;
  // Labels at the edges keep inside the drawing.
  const tickAnchor = (/** @type {number} */ x) => (x < plot.left + 30 ? "start" : x > plot.right - 30 ? "end" : "middle");
  const described = `${title}: ${chart.series.length} samples, ${chart.anomalies.length} anomalous points, marks: ${chart.marks.map((m) => `${m.kind} (${m.label}) at ${formatTime(m.t)}`).join("; ") || "none"}.`;
  return svg(
    "svg",
    { class: "chart-svg", width: L.width, height: L.height, viewBox: `0 0 ${L.width} ${L.height}`, role: "img", "aria-label": described, "data-chart": "metric" },
    svg("g", { class: "grid" }, ...L.yTicks.map((t) => svg("line", { x1: plot.left, x2: plot.right, y1: t.y, y2: t.y }))),
    svg("g", { class: "axis axis-y" }, ...L.yTicks.map((t) => svg("text", { x: plot.left - 6, y: t.y + 4, "text-anchor": "end" }, formatNumber(t.value, 4)))),
    svg(
      "g",
      { class: "axis axis-x" },
      svg("line", { x1: plot.left, x2: plot.right, y1: plot.bottom, y2: plot.bottom }),
      ...L.xTicks.map((t) => svg("text", { x: t.x, y: plot.bottom + 18, "text-anchor": tickAnchor(t.x) }, formatClock(t.t, L.multiDay))),
    ),
    svg("path", { class: "series", d: L.path, fill: "none" }),
    svg(
      "g",
      { class: "marks" },
      ...L.marks.map((m) =>
        svg(
          "g",
          { class: `mark mark-${m.kind}`, "data-kind": m.kind },
          svg("title", {}, `${m.kind}: ${m.label} (${formatTime(m.t)})`),
          svg("line", { x1: m.x, x2: m.x, y1: m.row >= 0 ? labelY(m.row) + 4 : plot.top, y2: plot.bottom }),
        ),
      ),
    ),
    svg(
      "g",
      { class: "mark-labels" },
      ...L.labels.map((l) => svg("text", { class: `mark-${l.kind}`, "data-kind": l.kind, x: l.anchor === "start" ? l.x + 3 : l.x - 3, y: labelY(l.row), "text-anchor": l.anchor }, l.text)),
    ),
    svg(
      "g",
      { class: "anomalies" },
      ...L.anomalies.map((p) => svg("circle", { class: "anomaly", cx: p.x, cy: p.y, r: 4.5 }, svg("title", {}, `anomaly at ${formatTime(p.t)}: ${formatNumber(p.v, 4)} (score ${formatNumber(p.score, 2)})`))),
    ),
  );
}

/** @param {Chart} chart */
function legend(chart) {
  const kinds = [...new Set(chart.marks.map((m) => m.kind))];
  return h(
    "ul",
    { class: "chart-legend" },
    h("li", {}, h("span", { class: "key key-series", "aria-hidden": "true" }), "metric"),
    chart.anomalies.length ? h("li", {}, h("span", { class: "key key-anomaly", "aria-hidden": "true" }), `anomalous point (${chart.anomalies.length})`) : null,
    kinds.map((k) => h("li", {}, h("span", { class: `key key-mark mark-${k}`, "aria-hidden": "true" }), k)),
  );
}

/** @param {Chart} chart */
function dataTable(chart) {
  const rows = [
    ...chart.marks.map((m) => ({ t: m.t, what: m.kind, detail: m.label })),
    ...chart.anomalies.map((a) => ({ t: a.t, what: "anomaly", detail: `${formatNumber(a.v, 4)} (score ${formatNumber(a.score, 2)})` })),
  ].sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
  if (rows.length === 0) return null;
  return h(
    "details",
    { class: "chart-data" },
    h("summary", {}, "Marks and anomalies as a table"),
    h(
      "table",
      { class: "compact" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Time"), h("th", { scope: "col" }, "What"), h("th", { scope: "col" }, "Detail"))),
      h("tbody", {}, rows.map((r) => h("tr", {}, h("td", {}, formatTime(r.t)), h("td", {}, r.what), h("td", {}, r.detail)))),
    ),
  );
}
