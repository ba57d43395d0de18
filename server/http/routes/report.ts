import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Autopilot } from "../../autopilot.js";
import { HEALTH_DEFINITIONS, isIsoWeekError, isoWeekOf, loadHealth, loadWeeklyReport, parseIsoWeek, WeekHealthSchema, WeeklyReportSchema } from "../../report/index.js";
import type { Guards } from "../auth.js";
import { documentable, errorResponses, jsonContent } from "../openapi.js";

const MAX_WEEKS = 52;

const HealthQuery = z.object({
  weeks: z.coerce
    .number({ error: `weeks must be a whole number from 1 to ${MAX_WEEKS}` })
    .int(`weeks must be a whole number from 1 to ${MAX_WEEKS}`)
    .min(1, `weeks must be a whole number from 1 to ${MAX_WEEKS}`)
    .max(MAX_WEEKS, `weeks must be a whole number from 1 to ${MAX_WEEKS}`)
    .default(8)
    .openapi({ param: { name: "weeks", in: "query" }, example: 8, description: `How many ISO weeks, ending with the current one (1 to ${MAX_WEEKS}, default 8).` }),
});

const WeeklyQuery = z.object({
  week: z
    .string()
    .superRefine((value, ctx) => {
      try {
        parseIsoWeek(value);
      } catch (error) {
        if (!isIsoWeekError(error)) throw error;
        ctx.addIssue({ code: "custom", message: error.message });
      }
    })
    .optional()
    .openapi({ param: { name: "week", in: "query" }, example: "2026-W47", description: "An ISO week, YYYY-Www (UTC); default the current week." }),
});

const Definitions = z.record(z.string(), z.string()).openapi({ description: "How each figure is counted." });
const HealthAnswer = z.object({ weeks: z.array(documentable(WeekHealthSchema).openapi("WeekHealth")).openapi({ description: "Oldest first; a week without cycles has zero counts and null rates." }), definitions: Definitions }).openapi("LoopHealth");
const WeeklyAnswer = documentable(WeeklyReportSchema).openapi("WeeklyReport", { description: "The week's totals, per-service rows, gains per gated metric and the escalated, rolled-back and failed cycles with why." });

const routes = {
  health: createRoute({
    method: "get",
    path: "/health",
    tags: ["report"],
    summary: "The loop's health per ISO week: cycles by outcome, success rate, cycle time, automatic rollbacks, quality gained, cost saved, model spend",
    request: { query: HealthQuery },
    responses: { 200: jsonContent(HealthAnswer, "One row per week, oldest first."), ...errorResponses(400) },
  }),
  weekly: createRoute({
    method: "get",
    path: "/weekly",
    tags: ["report"],
    summary: "The weekly report (what `npx autopilot report --week` prints as markdown)",
    request: { query: WeeklyQuery },
    responses: { 200: jsonContent(WeeklyAnswer, "The weekly report."), ...errorResponses(400) },
  }),
};

/** The loop's health over the last weeks and the weekly report (viewer role). Weeks are counted on the platform's clock. */
export function reportRoutes(ap: Autopilot, guards: Guards) {
  return new OpenAPIHono()
    .openapi({ ...routes.health, middleware: guards.viewer }, async (c) => {
      const weeks = await loadHealth(ap.db, ap.platform.clock.now(), c.req.valid("query").weeks);
      return c.json({ weeks, definitions: { ...HEALTH_DEFINITIONS } }, 200);
    })
    .openapi({ ...routes.weekly, middleware: guards.viewer }, async (c) => {
      const now = ap.platform.clock.now();
      const { week } = c.req.valid("query");
      return c.json(await loadWeeklyReport(ap.db, week ? parseIsoWeek(week) : isoWeekOf(now), now), 200);
    });
}
