// One cycle: its facts, the approval it waits for, its report, the chart of its trigger metric, its
// timeline and its artifacts. While it runs, every event of its stream re-reads the timeline (the
// events say that something happened; the timeline says it in full and in order).

import { api, ApiError } from "../lib/api.js";
import { h, replace } from "../lib/dom.js";
import { coalesce, follow } from "../lib/live.js";
import { hasRole } from "../lib/session.js";
import { approvalCard } from "../components/approval-card.js";
import { artifactList } from "../components/artifacts.js";
import { metricChart } from "../components/chart.js";
import { cycleFacts, reportSummary } from "../components/cycle-summary.js";
import { liveIndicator } from "../components/live-indicator.js";
import { errorMessage, createNotices } from "../components/notices.js";
import { timelineList } from "../components/timeline.js";

/** @typedef {import("../types.js").CycleView} CycleView */

const POLL_MS = 3000;

/**
 * Whether a cycle will not change any more.
 * @param {CycleView | null} c
 */
export function isFinal(c) {
  return c !== null && (c.status === "completed" || c.status === "failed");
}

/**
 * A titled section of the page whose body is replaced as data arrives.
 * @param {string} id
 * @param {string} title
 */
function section(id, title) {
  const body = h("div", { class: "section-body" }, h("p", { class: "muted" }, "Loading…"));
  return { el: h("section", { class: `cycle-section cycle-${id}`, "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title` }, title), body), body };
}

/** @param {import("../types.js").PageContext} ctx */
export function mountCycle(ctx) {
  const id = ctx.params.id ?? "";
  const path = `/api/v1/cycles/${encodeURIComponent(id)}`;
  const notices = createNotices();
  const indicator = liveIndicator(POLL_MS);
  const facts = h("div", { class: "card" }, h("p", { class: "muted" }, "Loading…"));
  const approvalHolder = h("div", { class: "pending-approval" });
  const reportHolder = h("div");
  const chart = section("chart", "Trigger metric");
  const timeline = section("timeline", "Timeline");
  const artifacts = section("artifacts", "Artifacts");
  /** @type {CycleView | null} */
  let cycle = null;
  /** @type {string | null} */
  let traceUrl = null;
  let shownApproval = "";
  /** @type {string | null} */
  let shownArtifacts = null;
  let chartStatus = "";

  const loadCycle = async () => {
    const res = await api.get(path, ctx.signal);
    cycle = res.cycle;
    replace(facts, cycleFacts(res.cycle, traceUrl));
    replace(reportHolder, reportSummary(res.report));
    await showApproval(res.cycle);
    if (res.cycle.status !== chartStatus) {
      chartStatus = res.cycle.status;
      void loadChart();
    }
  };
  const loadTimeline = async () => {
    try {
      const res = await api.get(`${path}/timeline`, ctx.signal);
      if (res.trace_url !== traceUrl) {
        traceUrl = res.trace_url ?? null;
        if (cycle) replace(facts, cycleFacts(cycle, traceUrl));
      }
      // A live refresh redraws the list: inputs the reader opened stay open.
      const open = new Set([...timeline.body.querySelectorAll("li[data-seq] > details[open]")].map((d) => d.parentElement?.dataset.seq));
      replace(timeline.body, timelineList(res.steps));
      for (const li of timeline.body.querySelectorAll("li[data-seq]")) if (open.has(/** @type {HTMLElement} */ (li).dataset.seq)) li.querySelector("details")?.setAttribute("open", "");
    } catch (error) {
      replace(timeline.body, errorMessage(error, "Could not load the timeline"));
    }
  };
  const loadChart = async () => {
    try {
      replace(chart.body, metricChart(await api.get(`${path}/chart`, ctx.signal), ctx.signal));
    } catch (error) {
      replace(chart.body, errorMessage(error, "Could not load the chart"));
    }
  };
  const loadArtifacts = async () => {
    try {
      const list = (await api.get(`${path}/artifacts`, ctx.signal)).artifacts;
      // Redrawn only when the list changed, so that an artifact being read stays open.
      const ids = list.map((/** @type {{ id: string }} */ a) => a.id).join(",");
      if (ids === shownArtifacts) return;
      shownArtifacts = ids;
      replace(artifacts.body, artifactList(list, ctx.signal));
    } catch (error) {
      shownArtifacts = null;
      replace(artifacts.body, errorMessage(error, "Could not load the artifacts"));
    }
  };

  /** The approval card is drawn once per request, so that a reason being typed is not wiped by a refresh. */
  const showApproval = async (/** @type {CycleView} */ c) => {
    const pending = c.status === "awaiting_approval" ? c.pending_approval_id : null;
    if ((pending ?? "") === shownApproval) return;
    shownApproval = pending ?? "";
    if (!pending) return replace(approvalHolder);
    try {
      const { approval } = await api.get(`/api/v1/approvals/${encodeURIComponent(pending)}`, ctx.signal);
      replace(approvalHolder, h("h2", {}, "Waiting for approval"), approvalCard(approval, { canDecide: hasRole(ctx.principal, "operator"), onDecided: () => void refreshAll() }));
    } catch (error) {
      shownApproval = "";
      replace(approvalHolder, errorMessage(error, "Could not load the pending approval"));
    }
  };

  const refreshAll = async () => {
    try {
      await loadCycle();
      notices.clear();
    } catch (error) {
      notices.error(error, error instanceof ApiError && error.status === 404 ? "No such cycle" : "Could not load the cycle");
      throw error;
    }
    await Promise.all([loadTimeline(), loadArtifacts()]);
    if (isFinal(cycle)) indicator.settled();
  };
  const onEvent = coalesce(() => void refreshAll().catch(() => {}), 250);

  replace(
    ctx.root,
    h(
      "article",
      { class: "cycle" },
      h("div", { class: "page-head" }, h("h1", { tabindex: -1 }, "Cycle ", h("span", { class: "mono" }, id)), indicator.el),
      h("p", {}, h("a", { href: "#/cycles" }, "All cycles")),
      notices.el,
      facts,
      approvalHolder,
      reportHolder,
      chart.el,
      timeline.el,
      artifacts.el,
    ),
  );

  void (async () => {
    try {
      await refreshAll();
    } catch {
      // No such cycle (or no answer): the error says so; empty sections would only add noise.
      for (const el of [facts, chart.el, timeline.el, artifacts.el]) el.remove();
      return;
    }
    if (isFinal(cycle)) return;
    await follow(`${path}/events`, {
      signal: ctx.signal,
      pollMs: POLL_MS,
      reconnectMs: POLL_MS,
      onMode: (mode) => (isFinal(cycle) ? indicator.settled() : indicator.set(mode)),
      done: () => isFinal(cycle),
      poll: refreshAll,
      onEvent,
    });
    if (isFinal(cycle)) indicator.settled();
  })();
}
