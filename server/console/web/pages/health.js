// The loop's health: cycles per week, success rate, average cycle time, automatic rollbacks,
// quality gained and cost saved per cycle (GET /api/v1/report/health), and one week's report
// (GET /api/v1/report/weekly, the same as `npx autopilot report --week` prints).

import { api } from "../lib/api.js";
import { h, replace } from "../lib/dom.js";
import { createNotices, errorMessage } from "../components/notices.js";
import { dataView } from "../components/data-view.js";
import { healthView, isFigures, isWeekFigures, weeklyView } from "../components/health-view.js";

const WEEKS = 8;

/** @param {import("../types.js").PageContext} ctx */
export function mountHealth(ctx) {
  const notices = createNotices();
  const health = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  const weekly = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  // Empty at first: the server's current week (on its clock, the simulated one in the sandbox).
  const weekInput = h("input", { id: "week", name: "week", type: "week", pattern: "\\d{4}-W\\d{2}" });

  const loadHealth = async () => {
    try {
      const res = await api.get(`/api/v1/report/health?weeks=${WEEKS}`, ctx.signal);
      const weeks = Array.isArray(res) ? res : res?.weeks;
      // The report's known shape gets its own layout; anything else is still shown, field by field.
      replace(health, Array.isArray(weeks) && weeks.every(isWeekFigures) ? healthView(weeks) : dataView(res));
    } catch (error) {
      replace(health, errorMessage(error, "Could not load the loop's health"));
    }
  };
  const loadWeekly = async () => {
    const week = weekInput.value.trim();
    if (week && !/^\d{4}-W\d{2}$/.test(week)) {
      notices.error(new Error(`"${week}" is not a week; write it as 2026-W47.`));
      return;
    }
    notices.clear();
    replace(weekly, h("p", { class: "muted" }, "Loading…"));
    try {
      const res = await api.get(`/api/v1/report/weekly${week ? `?week=${encodeURIComponent(week)}` : ""}`, ctx.signal);
      const report = res?.report ?? res;
      if (typeof report?.week === "string") weekInput.value = report.week;
      replace(weekly, isFigures(report?.totals) ? weeklyView(report) : dataView(res));
    } catch (error) {
      replace(weekly, errorMessage(error, `Could not load the report of ${week || "this week"}`));
    }
  };

  replace(
    ctx.root,
    h(
      "section",
      { class: "health" },
      h("h1", { tabindex: -1 }, "Loop health"),
      h("section", { class: "card", "aria-labelledby": "health-title" }, h("h2", { id: "health-title" }, `The last ${WEEKS} weeks`), health),
      h(
        "section",
        { class: "card", "aria-labelledby": "weekly-title" },
        h("h2", { id: "weekly-title" }, "Weekly report"),
        h(
          "form",
          { class: "inline-form", onsubmit: (/** @type {Event} */ e) => (e.preventDefault(), void loadWeekly()) },
          h("label", { for: "week" }, "Week"),
          h("div", { class: "row" }, weekInput, h("button", { type: "submit" }, "Show")),
        ),
        notices.el,
        weekly,
      ),
    ),
  );
  void loadHealth();
  void loadWeekly();
}
