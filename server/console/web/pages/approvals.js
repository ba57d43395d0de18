// Pending approvals, kept current by the server's event stream (or polling). A link to one
// approval (`#/approvals/<id>`) puts it first, and says what became of it once it is decided.

import { api } from "../lib/api.js";
import { h, replace } from "../lib/dom.js";
import { field, formatTime } from "../lib/format.js";
import { coalesce, follow } from "../lib/live.js";
import { hasRole } from "../lib/session.js";
import { approvalCard } from "../components/approval-card.js";
import { badge } from "../components/badges.js";
import { liveIndicator } from "../components/live-indicator.js";
import { createNotices } from "../components/notices.js";

/** @typedef {import("../types.js").Approval} Approval */

const POLL_MS = 5000;

/** @param {import("../types.js").PageContext} ctx */
export function mountApprovals(ctx) {
  const wanted = ctx.params.id ?? null;
  const canDecide = hasRole(ctx.principal, "operator");
  const notices = createNotices();
  const indicator = liveIndicator(POLL_MS);
  const list = h("div", { class: "approval-list" }, h("p", { class: "muted" }, "Loading…"));
  const single = h("div");
  /**
   * Cards stay as drawn while their approval is pending, so a reason being typed survives refreshes.
   * @type {Map<string, HTMLElement>}
   */
  const cards = new Map();

  const load = async () => {
    try {
      /** @type {{ approvals: Approval[] }} */
      const res = await api.get("/api/v1/approvals", ctx.signal);
      const pending = [...res.approvals].sort((a, b) => (a.id === wanted ? -1 : b.id === wanted ? 1 : String(field(a, "expires_at")).localeCompare(String(field(b, "expires_at")))));
      for (const id of cards.keys()) if (!pending.some((a) => a.id === id)) cards.delete(id);
      const els = pending.map((a) => {
        let card = cards.get(a.id);
        if (!card) {
          card = approvalCard(a, { canDecide, highlight: a.id === wanted, onDecided: () => void refresh() });
          cards.set(a.id, card);
        }
        return card;
      });
      replace(list, els.length ? els : h("p", { class: "muted empty" }, "No approval is waiting."));
      if (wanted && !pending.some((a) => a.id === wanted)) await showDecided(wanted);
      notices.clear();
    } catch (error) {
      notices.error(error, "Could not load the approvals");
      throw error;
    }
  };
  const refresh = () => load().catch(() => {});

  /** @param {string} id */
  const showDecided = async (id) => {
    try {
      const { approval } = await api.get(`/api/v1/approvals/${encodeURIComponent(id)}`, ctx.signal);
      const by = field(approval, "decided_by");
      const at = field(approval, "decided_at");
      const why = field(approval, "decision_reason");
      replace(single, h("p", { class: "notice notice-info" }, "Approval ", h("code", {}, id), ` (${approval.tool}) is no longer pending: `, badge(approval.status), by ? ` by ${by}` : null, at ? ` at ${formatTime(at)}` : null, why ? ` — ${why}` : null));
    } catch (error) {
      notices.error(error, `Could not load approval ${id}`);
    }
  };

  replace(
    ctx.root,
    h(
      "section",
      { class: "approvals" },
      h("div", { class: "page-head" }, h("h1", { tabindex: -1 }, "Pending approvals"), indicator.el),
      canDecide ? null : h("p", { class: "notice notice-info" }, `Deciding needs the operator role; you are signed in as ${ctx.principal.role}.`),
      notices.el,
      single,
      list,
    ),
  );
  const onEvent = coalesce(refresh, 250);
  void refresh();
  void follow("/api/v1/events", {
    signal: ctx.signal,
    pollMs: POLL_MS,
    onMode: indicator.set,
    poll: load,
    onEvent: (event) => {
      if (event.event === "approval" || event.event === "cycle") onEvent();
    },
  });
}
