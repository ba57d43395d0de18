// A cycle's timeline: every step in order, with who acted, which tool ran, what the policy decided
// and why, what came of it and how long it took.

import { h } from "../lib/dom.js";
import { formatDuration, formatTime } from "../lib/format.js";
import { href } from "../lib/router.js";
import { badge } from "./badges.js";
import { jsonBlock } from "./json-block.js";

/** @typedef {import("../types.js").TimelineStep} TimelineStep */

/**
 * The ordered list of a cycle's steps.
 * @param {TimelineStep[]} steps
 */
export function timelineList(steps) {
  if (steps.length === 0) return h("p", { class: "muted" }, "Nothing has happened in this cycle yet.");
  return h("ol", { class: "timeline", "aria-label": "Timeline" }, steps.map(stepItem));
}

/** @param {TimelineStep} s */
function stepItem(s) {
  const hasInput = s.input !== undefined && s.input !== null;
  return h(
    "li",
    { class: `step step-${s.kind ?? "other"}`, "data-seq": s.seq },
    h(
      "div",
      { class: "step-head" },
      h("span", { class: "step-seq" }, `#${s.seq}`),
      h("time", { datetime: s.at }, formatTime(s.at, { short: true })),
      h("span", { class: "step-agent" }, s.agent),
      s.step ? h("span", { class: "step-name" }, s.step) : null,
    ),
    h(
      "div",
      { class: "step-body" },
      s.tool ? h("code", { class: "step-tool" }, s.tool) : null,
      s.decision ? badge(s.decision, "Policy decision") : null,
      badge(s.status, "Status"),
      h("span", { class: "step-duration" }, s.duration_ms === null || s.duration_ms === undefined ? null : formatDuration(s.duration_ms)),
    ),
    s.summary ? h("p", { class: "step-summary" }, s.summary) : null,
    s.reasons.length ? h("ul", { class: "step-reasons", "aria-label": "Reasons" }, s.reasons.map((r) => h("li", {}, r))) : null,
    s.approval_id && s.status !== "approved" && s.status !== "rejected" ? h("p", {}, h("a", { href: href("approvals", s.approval_id) }, `Approval ${s.approval_id}`)) : null,
    hasInput ? h("details", { class: "step-input" }, h("summary", {}, "Input"), jsonBlock(s.input, `Input of ${s.tool ?? "the step"}`)) : null,
  );
}
