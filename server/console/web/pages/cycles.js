// The cycles: status, trigger, outcome and duration, newest first, kept current by the server's
// event stream (or by polling without it), with older pages on demand.

import { api } from "../lib/api.js";
import { h, replace } from "../lib/dom.js";
import { between, formatDuration, formatTime } from "../lib/format.js";
import { coalesce, follow } from "../lib/live.js";
import { eventData } from "../lib/sse.js";
import { href } from "../lib/router.js";
import { badge } from "../components/badges.js";
import { createNotices } from "../components/notices.js";
import { liveIndicator } from "../components/live-indicator.js";
import { triggerText } from "../components/cycle-summary.js";

/** @typedef {import("../types.js").CycleView} CycleView */

const STATUSES = ["queued", "running", "awaiting_approval", "completed", "failed"];
const PAGE = 50;
const POLL_MS = 5000;

/** @param {import("../types.js").PageContext} ctx */
export function mountCycles(ctx) {
  const notices = createNotices();
  const indicator = liveIndicator(POLL_MS);
  /** @type {Map<string, CycleView>} */
  const cycles = new Map();
  /** @type {string | null} */
  let nextBefore = null;
  const filter = h("select", { id: "status-filter", name: "status" }, h("option", { value: "" }, "all"), STATUSES.map((s) => h("option", { value: s }, s.replaceAll("_", " "))));
  const body = h("tbody");
  const more = h("button", { type: "button", hidden: true, onclick: () => void loadPage(true) }, "Older cycles");
  const count = h("p", { class: "muted", role: "status" });

  const draw = () => {
    const rows = [...cycles.values()].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id));
    replace(body, rows.length ? rows.map(row) : h("tr", {}, h("td", { colspan: 6, class: "muted" }, filter.value ? `No ${filter.value.replaceAll("_", " ")} cycles.` : "No cycles yet: one starts when an alert arrives or an operator asks in the chat.")));
    more.hidden = nextBefore === null;
    replace(count, `${rows.length} cycle${rows.length === 1 ? "" : "s"} shown`);
  };

  /** @param {boolean} older */
  const loadPage = async (older) => {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (filter.value) q.set("status", filter.value);
    if (older && nextBefore) q.set("before", nextBefore);
    try {
      const res = await api.get(`/api/v1/cycles?${q}`, ctx.signal);
      if (!older) {
        // A refresh replaces the newest page but keeps older pages the reader loaded.
        const oldest = res.cycles[res.cycles.length - 1];
        for (const [id, c] of cycles) if (!oldest || c.created_at >= oldest.created_at) cycles.delete(id);
      }
      for (const c of res.cycles) cycles.set(c.id, c);
      if (older || cycles.size <= PAGE) nextBefore = res.next_before;
      notices.clear();
      draw();
    } catch (error) {
      notices.error(error, "Could not load the cycles");
      throw error;
    }
  };

  const refresh = coalesce(() => void loadPage(false).catch(() => {}), 300);
  filter.addEventListener("change", () => {
    cycles.clear();
    nextBefore = null;
    void loadPage(false).catch(() => {});
  });

  replace(
    ctx.root,
    h(
      "section",
      { class: "cycles" },
      h("div", { class: "page-head" }, h("h1", { tabindex: -1 }, "Cycles"), indicator.el),
      h("div", { class: "filters" }, h("label", { for: "status-filter" }, "Status"), filter),
      notices.el,
      h(
        "table",
        { class: "data responsive" },
        h("caption", { class: "visually-hidden" }, "Cycles, newest first"),
        h("thead", {}, h("tr", {}, ["Cycle", "Status", "Trigger", "Outcome", "Started", "Duration"].map((c) => h("th", { scope: "col" }, c)))),
        body,
      ),
      count,
      more,
    ),
  );

  void loadPage(false).catch(() => {});
  void follow("/api/v1/events", {
    signal: ctx.signal,
    pollMs: POLL_MS,
    onMode: indicator.set,
    poll: () => loadPage(false),
    onEvent: (event) => {
      if (event.event !== "cycle") return;
      const c = /** @type {CycleView} */ (eventData(event));
      if (!c || typeof c.id !== "string") return;
      if (filter.value && c.status !== filter.value) {
        if (cycles.delete(c.id)) draw();
        return;
      }
      // A cycle we have not seen: re-read the page so that it lands in the right place.
      if (!cycles.has(c.id)) return refresh();
      cycles.set(c.id, { ...cycles.get(c.id), ...c });
      draw();
    },
  });
}

/** @param {CycleView} c */
function row(c) {
  const started = c.started_at ?? c.created_at;
  const running = c.status === "running" || c.status === "queued" || c.status === "awaiting_approval";
  const duration = formatDuration(between(c.started_at, c.finished_at));
  return h(
    "tr",
    { "data-cycle-id": c.id },
    h("td", { "data-label": "Cycle" }, h("a", { href: href("cycles", c.id) }, c.id)),
    h("td", { "data-label": "Status" }, badge(c.status)),
    h("td", { "data-label": "Trigger" }, triggerText(c), c.alert_count > 1 ? h("span", { class: "muted" }, ` (${c.alert_count} alerts)`) : null),
    h("td", { "data-label": "Outcome" }, badge(c.outcome)),
    h("td", { "data-label": "Started" }, h("time", { datetime: started }, formatTime(started))),
    h("td", { "data-label": "Duration" }, c.started_at ? (running ? `${duration} so far` : duration) : "–"),
  );
}
