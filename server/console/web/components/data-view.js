// Any JSON the server reports, laid out for reading: numbers as tiles, lists of records as tables,
// nested objects as titled groups. Field names decide units: `_ms` a duration, `rate`/`ratio`/`share`
// a percentage, `usd`/`cost` dollars. The health page uses it so that fields the report gains show
// without a change to the console.

import { h } from "../lib/dom.js";
import { formatDuration, formatNumber, formatTime, humanize } from "../lib/format.js";

/**
 * A value formatted by what its key says it is.
 * @param {string} key
 * @param {unknown} value
 * @returns {string}
 */
export function formatValue(key, value) {
  if (value === null || value === undefined) return "–";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") {
    const k = key.toLowerCase();
    if (/(^|_)ms$|_ms_|duration_ms|millis/.test(k)) return formatDuration(value);
    if (/(_s|_sec|_seconds)$/.test(k)) return formatDuration(value * 1000);
    if (/(rate|ratio|share|percent|fraction)/.test(k) && Math.abs(value) <= 1.5 && !k.includes("pct")) return `${formatNumber(value * 100, 1)} %`;
    if (/(usd|cost|saved|spend|dollar)/.test(k)) return `$${formatNumber(value, 2)}`;
    return formatNumber(value, 4);
  }
  if (typeof value === "string") return /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value) ? formatTime(value) : value;
  return JSON.stringify(value);
}

/**
 * @param {unknown} v
 * @returns {v is Record<string, unknown>}
 */
function isRecord(v) {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Numbers and short texts of an object as tiles (`data-key` names each for tests and styling).
 * @param {Record<string, unknown>} obj
 */
export function statTiles(obj) {
  const scalars = Object.entries(obj).filter(([, v]) => v === null || typeof v !== "object");
  if (scalars.length === 0) return null;
  return h(
    "dl",
    { class: "tiles" },
    scalars.map(([k, v]) => h("div", { class: "tile", "data-key": k }, h("dt", {}, humanize(k)), h("dd", {}, formatValue(k, v)))),
  );
}

/**
 * A list of records as a table with a column per key (the union over rows, first-seen order).
 * @param {Record<string, unknown>[]} rows
 * @param {string} caption
 */
export function recordTable(rows, caption) {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return h(
    "div",
    { class: "table-scroll", tabindex: 0, role: "region", "aria-label": caption },
    h(
      "table",
      { class: "data" },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, keys.map((k) => h("th", { scope: "col" }, humanize(k))))),
      h("tbody", {}, rows.map((r) => h("tr", {}, keys.map((k) => h("td", { "data-label": humanize(k) }, cell(k, r[k])))))),
    ),
  );
}

/**
 * @param {string} key
 * @param {unknown} value
 */
function cell(key, value) {
  if (isRecord(value)) return Object.entries(value).map(([k, v]) => `${humanize(k)}: ${formatValue(k, v)}`).join(", ");
  if (Array.isArray(value)) return value.map((v) => (isRecord(v) ? JSON.stringify(v) : formatValue(key, v))).join(", ");
  return formatValue(key, value);
}

/**
 * Any JSON value laid out: tiles for an object's scalars, then a group per nested object, a table
 * per list of records, a bullet list per list of texts.
 * @param {unknown} value
 * @param {number} [depth] heading level below the page's h2
 * @returns {Node}
 */
export function dataView(value, depth = 3) {
  if (!isRecord(value)) {
    if (Array.isArray(value)) return listView("Items", value, depth);
    return h("p", {}, formatValue("", value));
  }
  const nested = Object.entries(value).filter(([, v]) => v !== null && typeof v === "object");
  return h(
    "div",
    { class: "data-view" },
    statTiles(value),
    nested.map(([k, v]) =>
      Array.isArray(v) ? listView(humanize(k), v, depth) : h("section", { class: "data-group", "data-key": k }, heading(depth, humanize(k)), dataView(v, Math.min(6, depth + 1))),
    ),
  );
}

/**
 * @param {string} title
 * @param {unknown[]} items
 * @param {number} depth
 */
function listView(title, items, depth) {
  if (items.length === 0) return h("section", { class: "data-group" }, heading(depth, title), h("p", { class: "muted" }, "None."));
  if (items.every(isRecord)) return h("section", { class: "data-group" }, heading(depth, title), recordTable(/** @type {Record<string, unknown>[]} */ (items), title));
  return h("section", { class: "data-group" }, heading(depth, title), h("ul", {}, items.map((i) => h("li", {}, isRecord(i) ? JSON.stringify(i) : formatValue("", i)))));
}

/**
 * @param {number} depth
 * @param {string} text
 */
function heading(depth, text) {
  const tag = /** @type {"h3" | "h4" | "h5" | "h6"} */ (`h${Math.min(6, Math.max(3, depth))}`);
  return h(tag, {}, text);
}
