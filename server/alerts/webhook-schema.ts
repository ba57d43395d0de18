import { z } from "zod";

const Labels = z.record(z.string(), z.string());
const Timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: "must be an RFC 3339 timestamp" });

/** One alert of an Alertmanager webhook (version 4). */
export const WebhookAlertSchema = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: Labels.refine((l) => typeof l.alertname === "string" && l.alertname.length > 0, { message: "must include a non-empty alertname" }),
  annotations: Labels.default({}),
  startsAt: Timestamp,
  endsAt: Timestamp,
  generatorURL: z.string().default(""),
  fingerprint: z.string().regex(/^[0-9a-f]{1,64}$/, "must be a hex fingerprint"),
});

/** The Alertmanager webhook payload, version 4 (see Alertmanager's webhook_config). */
export const WebhookPayloadSchema = z.object({
  version: z.literal("4"),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string(),
  groupLabels: Labels.default({}),
  commonLabels: Labels.default({}),
  commonAnnotations: Labels.default({}),
  externalURL: z.string().default(""),
  alerts: z.array(WebhookAlertSchema).min(1, "must hold at least one alert").max(1000, "holds more than 1000 alerts"),
});
/** A validated webhook payload. */
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;
/** A validated alert. */
export type WebhookAlert = z.infer<typeof WebhookAlertSchema>;
