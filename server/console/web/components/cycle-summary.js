// What a cycle is at a glance: its status and outcome, trigger, times, the link to its LangSmith
// trace, and (once it finished) the report's reason, approvals and cost.

import { h } from "../lib/dom.js";
import { between, formatDuration, formatNumber, formatTime } from "../lib/format.js";
import { badge } from "./badges.js";

/** @typedef {import("../types.js").CycleView} CycleView */

/**
 * What started a cycle, in a few words.
 * @param {CycleView} c
 */
export function triggerText(c) {
  const t = c.trigger ?? {};
  const what = typeof t.alertname === "string" ? t.alertname : typeof t.type === "string" ? t.type : (c.signal ?? "unknown");
  return [what, c.service, c.environment].filter(Boolean).join(" · ");
}

/**
 * The facts of a cycle.
 * @param {CycleView} c
 * @param {string | null} traceUrl
 */
export function cycleFacts(c, traceUrl) {
  const t = c.trigger ?? {};
  const value = typeof t.value === "number" ? t.value : null;
  const baseline = typeof t.baseline === "number" ? t.baseline : null;
  return h(
    "dl",
    { class: "facts" },
    h("dt", {}, "Status"),
    h("dd", { "data-field": "status" }, badge(c.status)),
    h("dt", {}, "Outcome"),
    h("dd", { "data-field": "outcome" }, badge(c.outcome)),
    h("dt", {}, "Trigger"),
    h("dd", {}, triggerText(c), value !== null ? ` (value ${formatNumber(value, 4)}${baseline !== null ? `, baseline ${formatNumber(baseline, 4)}` : ""})` : null),
    h("dt", {}, "Started"),
    h("dd", {}, formatTime(c.started_at ?? c.created_at)),
    h("dt", {}, "Duration"),
    h("dd", {}, c.started_at ? formatDuration(between(c.started_at, c.finished_at)) + (c.finished_at ? "" : " so far") : "not started"),
    c.attempts > 1 ? [h("dt", {}, "Attempts"), h("dd", {}, String(c.attempts))] : null,
    h("dt", {}, "Trace"),
    h("dd", {}, traceUrl ? h("a", { href: traceUrl, rel: "noopener noreferrer", target: "_blank", class: "trace-link" }, "Open in LangSmith") : h("span", { class: "muted" }, "no trace (tracing is off)")),
    c.error ? [h("dt", {}, "Error"), h("dd", { class: "error-text" }, c.error)] : null,
  );
}

/**
 * The finished cycle's report: why it ended as it did, who approved what, and what it cost.
 * @param {Record<string, any> | null} report
 */
export function reportSummary(report) {
  if (!report) return null;
  const approvals = Array.isArray(report.approvals) ? report.approvals : [];
  return h(
    "section",
    { class: "card report", "aria-labelledby": "report-title" },
    h("h2", { id: "report-title" }, "Report"),
    typeof report.outcome_reason === "string" ? h("p", {}, report.outcome_reason) : null,
    approvals.length
      ? h(
          "ul",
          { class: "report-approvals", "aria-label": "Approvals" },
          approvals.map((a) => h("li", {}, h("code", {}, String(a.tool)), " ", badge(String(a.status)), a.by ? ` by ${a.by}` : null, a.reason ? `: ${a.reason}` : null)),
        )
      : null,
    typeof report.total_cost === "number" ? h("p", { class: "muted" }, `Model cost $${formatNumber(report.total_cost, 4)} · model ${report.model ?? "unknown"}`) : null,
  );
}
