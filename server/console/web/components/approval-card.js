// One pending approval: what will run, with which input, why the policy asks, until when; and for
// operators, Approve / Reject with a reason (a rejection must say why; the server checks too).

import { api } from "../lib/api.js";
import { h } from "../lib/dom.js";
import { field, formatTime, relativeTime } from "../lib/format.js";
import { href } from "../lib/router.js";
import { jsonBlock } from "./json-block.js";
import { createNotices } from "./notices.js";

/** @typedef {import("../types.js").Approval} Approval */

/**
 * The reasons of an approval as a list of sentences.
 * @param {unknown} reasons
 * @returns {string[]}
 */
export function reasonList(reasons) {
  if (Array.isArray(reasons)) return reasons.map(String);
  if (typeof reasons === "string") return [reasons];
  return [];
}

/**
 * @param {unknown} principal
 */
function askedBy(principal) {
  if (!principal || typeof principal !== "object") return null;
  const p = /** @type {{ type?: string, id?: string }} */ (principal);
  return [p.type, p.id].filter(Boolean).join(" ") || null;
}

/**
 * A card for an approval; `canDecide` adds the decision form, `onDecided` runs after the server
 * recorded the decision.
 * @param {Approval} approval
 * @param {{ canDecide: boolean, onDecided: (approval: Approval, decision: "approved" | "rejected") => void, highlight?: boolean }} options
 */
export function approvalCard(approval, options) {
  const cycleId = field(approval, "cycle_id");
  const expires = field(approval, "expires_at");
  const requested = field(approval, "requested_at");
  const who = askedBy(approval.principal);
  const titleId = `approval-${approval.id}-title`;
  const reasons = reasonList(approval.reasons);
  return h(
    "article",
    { class: `card approval${options.highlight ? " highlight" : ""}`, "aria-labelledby": titleId, "data-approval-id": approval.id },
    h("h3", { id: titleId }, "Run ", h("code", {}, approval.tool), "?"),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Cycle"),
      h("dd", {}, cycleId ? h("a", { href: href("cycles", cycleId) }, cycleId) : "none (asked from the chat)"),
      who ? [h("dt", {}, "Asked by"), h("dd", {}, who)] : null,
      h("dt", {}, "Requested"),
      h("dd", {}, h("time", { datetime: requested }, formatTime(requested))),
      h("dt", {}, "Expires"),
      h("dd", {}, h("time", { datetime: expires }, `${formatTime(expires)} (${relativeTime(expires)})`)),
    ),
    h("h4", {}, "Why the policy asks"),
    reasons.length ? h("ul", { class: "reasons" }, reasons.map((r) => h("li", {}, r))) : h("p", { class: "muted" }, "The policy gave no reason."),
    h("h4", {}, "Input"),
    jsonBlock(approval.input, `Input of ${approval.tool}`),
    options.canDecide ? decisionForm(approval, options.onDecided) : h("p", { class: "muted" }, "Your role can see approvals but not decide them."),
  );
}

/**
 * @param {Approval} approval
 * @param {(approval: Approval, decision: "approved" | "rejected") => void} onDecided
 */
function decisionForm(approval, onDecided) {
  const reasonId = `approval-${approval.id}-reason`;
  const hintId = `${reasonId}-hint`;
  const reason = h("textarea", { id: reasonId, name: "reason", rows: 2, maxlength: 2000, "aria-describedby": hintId });
  const notices = createNotices();
  const approve = h("button", { type: "submit", class: "primary", value: "approve" }, "Approve");
  const reject = h("button", { type: "submit", class: "danger", value: "reject" }, "Reject");
  /** @param {SubmitEvent} event */
  const submit = async (event) => {
    event.preventDefault();
    const which = /** @type {HTMLButtonElement | null} */ (event.submitter)?.value === "reject" ? "reject" : "approve";
    const text = reason.value.trim();
    if (which === "reject" && !text) {
      notices.error(new Error("Say why you reject it: a rejection needs a reason."));
      reason.setAttribute("aria-invalid", "true");
      reason.focus();
      return;
    }
    reason.removeAttribute("aria-invalid");
    approve.disabled = reject.disabled = true;
    notices.info(which === "approve" ? "Approving…" : "Rejecting…");
    try {
      await api.post(`/api/v1/approvals/${encodeURIComponent(approval.id)}/${which}`, text ? { reason: text } : {});
      notices.info(which === "approve" ? "Approved." : "Rejected.");
      onDecided(approval, which === "approve" ? "approved" : "rejected");
    } catch (error) {
      notices.error(error, which === "approve" ? "The server did not approve" : "The server did not reject");
      approve.disabled = reject.disabled = false;
    }
  };
  return h(
    "form",
    { class: "decision", onsubmit: submit },
    h("label", { for: reasonId }, "Reason"),
    reason,
    h("p", { id: hintId, class: "hint" }, "Optional to approve, required to reject. It is kept in the audit trail."),
    h("div", { class: "actions" }, approve, reject),
    notices.el,
  );
}
