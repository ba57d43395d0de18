import { z } from "zod";
import { errorOutcome } from "../outcome.js";
import { defineTool, type ToolOutcome } from "../tool.js";

/** What `grafana_create_annotation` returns. */
export interface CreateAnnotationData {
  annotation_id: number;
  dashboard_uid: string | null;
  panel_id: number | null;
  time: string;
  time_end: string | null;
  tags: string[];
}

const isoInstant = z.iso.datetime({ offset: true });

/** `grafana_create_annotation`: marks a point or a region of a dashboard's time axis with a note. */
export const createAnnotationTool = defineTool({
  name: "grafana_create_annotation",
  system: "grafana",
  title: "Annotate a Grafana dashboard",
  description:
    "Writes an annotation in Grafana at `time` (or over `time`..`time_end`): on a dashboard (and panel) when dashboard_uid is given, else an organization annotation found by its tags. " +
    "Use it to mark an anomaly, a deploy or a rollback on the series' dashboard. The tag mlops-autopilot is always added; the cycle id is appended to the text.",
  input: z.object({
    dashboard_uid: z.string().min(1).max(64).optional().describe("UID of the dashboard the annotation belongs to; omit for an organization annotation"),
    panel_id: z.int().min(0).optional().describe("Panel of that dashboard; omit for the whole dashboard"),
    time: isoInstant.describe("Start of the annotation, RFC 3339"),
    time_end: isoInstant.optional().describe("End of a region annotation, RFC 3339; omit for a point"),
    tags: z.array(z.string().min(1).max(64)).max(10).default([]).describe('Tags, e.g. ["anomaly", "search"]'),
    text: z.string().min(1).max(2000).describe("What happened, as people reading the dashboard should see it"),
  }),
  flags: { readOnly: false, destructive: false, idempotent: false, openWorld: true },
  timeoutMs: 30_000,
  run: async (input, ctx): Promise<ToolOutcome<CreateAnnotationData>> => {
    const grafana = ctx.clients.grafana;
    if (!grafana) {
      const message = "Grafana is not configured for this deployment (set GRAFANA_URL); annotations cannot be written";
      return { status: "error", summary: message, error: { code: "not_configured", system: "grafana", message, retryable: false } };
    }
    if (input.panel_id !== undefined && !input.dashboard_uid) {
      const message = "panel_id needs dashboard_uid: a panel belongs to a dashboard";
      return { status: "error", summary: message, error: { code: "invalid_input", system: "grafana", message, retryable: false } };
    }
    const time = new Date(input.time);
    const timeEnd = input.time_end ? new Date(input.time_end) : undefined;
    if (timeEnd && timeEnd < time) {
      const message = `time_end ${input.time_end} is before time ${input.time}`;
      return { status: "error", summary: message, error: { code: "invalid_input", system: "grafana", message, retryable: false } };
    }
    const tags = [...new Set(["mlops-autopilot", ...input.tags])];
    const text = ctx.cycleId ? `${input.text} (cycle ${ctx.cycleId})` : input.text;
    try {
      const { id } = await grafana.createAnnotation({ dashboardUID: input.dashboard_uid, panelId: input.panel_id, time, timeEnd, tags, text }, { signal: ctx.signal });
      const where = input.dashboard_uid ? `dashboard ${input.dashboard_uid}${input.panel_id !== undefined ? ` panel ${input.panel_id}` : ""}` : "the organization";
      return {
        status: "success",
        summary: `Annotated ${where} at ${input.time}${input.time_end ? ` to ${input.time_end}` : ""} (annotation ${id})`,
        data: { annotation_id: id, dashboard_uid: input.dashboard_uid ?? null, panel_id: input.panel_id ?? null, time: time.toISOString(), time_end: timeEnd?.toISOString() ?? null, tags },
      };
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      return errorOutcome(error);
    }
  },
});
