import { z } from "zod";
import { defineTool, type ToolOutcome } from "../tool.js";
import { withAlertmanager } from "./tool-support.js";

/** What `alertmanager_post_alerts` returns. */
export interface PostAlertsData {
  posted: number;
  alertnames: string[];
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const labelMap = z.record(z.string().regex(LABEL_NAME, "a label name"), z.string().max(1024));
const isoInstant = z.iso.datetime({ offset: true });

const AlertInput = z.object({
  labels: labelMap
    .refine((l) => typeof l.alertname === "string" && l.alertname.length > 0, "labels must include a non-empty alertname")
    .describe('Labels that identify the alert and route it, e.g. { "alertname": "MetricAnomaly", "service": "search", "severity": "warning" }'),
  annotations: z.record(z.string().regex(LABEL_NAME, "an annotation name"), z.string().max(4096)).default({}).describe("Annotations: summary, description, dashboard link"),
  starts_at: isoInstant.optional().describe("When the alert started, RFC 3339; default now"),
  ends_at: isoInstant.optional().describe("When it resolves, RFC 3339; default: Alertmanager's resolve_timeout after the last post"),
});

/**
 * `alertmanager_post_alerts`: raises alerts in Alertmanager (API v2), so something the autopilot
 * found itself routes, groups, inhibits and pages like any other alert.
 */
export const postAlertsTool = defineTool({
  name: "alertmanager_post_alerts",
  system: "alertmanager",
  title: "Raise alerts in Alertmanager",
  description:
    "Posts alerts to Alertmanager's API v2 so they route like alerts from Prometheus. Each needs an alertname label; the label source=\"mlops-autopilot\" is added. " +
    "Posting the same labels again refreshes the alert instead of duplicating it.",
  input: z.object({
    alerts: z.array(AlertInput).min(1).max(50).describe("The alerts to raise"),
  }),
  flags: { readOnly: false, destructive: false, idempotent: true, openWorld: true },
  timeoutMs: 30_000,
  run: ({ alerts }, ctx) =>
    withAlertmanager(ctx, async (am): Promise<ToolOutcome<PostAlertsData>> => {
      const wire = alerts.map((a) => ({
        labels: { ...a.labels, source: "mlops-autopilot" },
        annotations: ctx.cycleId ? { ...a.annotations, cycle_id: ctx.cycleId } : a.annotations,
        startsAt: a.starts_at,
        endsAt: a.ends_at,
      }));
      await am.postAlerts(wire, { signal: ctx.signal });
      const alertnames = [...new Set(alerts.map((a) => a.labels.alertname!))];
      return { status: "success", summary: `Posted ${alerts.length} alert(s) to Alertmanager: ${alertnames.join(", ")}`, data: { posted: alerts.length, alertnames } };
    }),
});
