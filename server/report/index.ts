/** The loop's health per ISO week and the weekly report, computed in SQL from the cycles and their reports. */
export { loadHealth, loadWeeklyReport, NOTABLE_LIMIT } from "./weekly.js";
export { HEALTH_DEFINITIONS } from "./health.js";
export { renderWeeklyMarkdown } from "./markdown.js";
export { isoWeekOf, parseIsoWeek, lastIsoWeeks, isIsoWeekError, IsoWeekError } from "./iso-week.js";
export type { IsoWeek } from "./iso-week.js";
export { WeekHealthSchema, WeeklyReportSchema } from "./schemas.js";
export type { HealthFigures, WeekHealth, ServiceHealth, MetricGain, NotableCycle, WeeklyReport } from "./schemas.js";
