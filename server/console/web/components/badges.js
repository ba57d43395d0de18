// Small labels for statuses, outcomes and policy decisions. Colour only repeats what the words say.

import { h } from "../lib/dom.js";

/** The tone each word is shown in. */
const TONES = {
  good: ["completed", "promoted", "allow", "approved", "success", "executed", "no_action", "live", "used"],
  bad: ["failed", "deny", "denied", "rejected", "error", "rolled_back", "refused", "invalid", "expired"],
  wait: ["awaiting_approval", "require_approval", "requested", "pending", "escalated", "polling", "no_data"],
  busy: ["running", "queued", "started", "connecting"],
};

/**
 * The tone of a word (status, outcome, decision).
 * @param {string} word
 */
export function toneOf(word) {
  for (const [tone, words] of Object.entries(TONES)) if (words.includes(word)) return tone;
  return "plain";
}

/**
 * A badge for a status, outcome or decision; null or empty shows a dash.
 * @param {string | null | undefined} word
 * @param {string} [label] a prefix read by screen readers ("Decision")
 */
export function badge(word, label) {
  if (!word) return h("span", { class: "badge badge-plain" }, "–");
  return h("span", { class: `badge badge-${toneOf(word)}`, "data-value": word }, label ? h("span", { class: "visually-hidden" }, `${label}: `) : null, word.replaceAll("_", " "));
}
