import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { classifyAlert } from "../../alerts/classify.js";
import { WebhookPayloadSchema } from "../../alerts/webhook-schema.js";
import type { Autopilot } from "../../autopilot.js";
import { secretMatches, type Guards } from "../auth.js";
import { validationHookWith } from "../body.js";
import { HttpError } from "../errors.js";
import { documentable, errorResponses, jsonBody, jsonContent } from "../openapi.js";

/** Largest webhook body accepted (Alertmanager groups rarely exceed a few hundred KB). */
export const WEBHOOK_MAX_BYTES = 1024 * 1024;

const route = createRoute({
  method: "post",
  path: "/alertmanager",
  tags: ["alerts"],
  summary: "Alertmanager's webhook (payload version 4)",
  description:
    "Every alert is stored before the 202; alerts are deduplicated by fingerprint while their cycle runs and grouped by service. The webhook needs ALERTMANAGER_WEBHOOK_TOKEN as a bearer (when it is set) or an operator's API token.",
  request: { body: jsonBody(documentable(WebhookPayloadSchema).openapi("AlertmanagerWebhook")) },
  responses: {
    202: jsonContent(
      z.object({
        accepted: z.number().int(),
        alerts: z.array(z.object({ id: z.number().int(), fingerprint: z.string(), status: z.enum(["firing", "resolved"]), disposition: z.enum(["started", "joined", "duplicate", "resolved"]), cycleId: z.string().nullable() })),
        cycles_started: z.array(z.string()),
      }),
      "Stored: what became of each alert, and the cycles started.",
    ),
    ...errorResponses(400, 401),
  },
});

/**
 * The webhook's own credentials: Alertmanager's shared token (ALERTMANAGER_WEBHOOK_TOKEN, or the
 * process's own secret its sandbox sends with), or an operator's API token (Alertmanager configured
 * with one, or a machine that raises alerts by hand). Never open.
 */
function webhookAuth(expected: string, configured: boolean, operator: MiddlewareHandler): MiddlewareHandler {
  return async (c, next) => {
    const presented = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    if (secretMatches(presented, expected)) {
      c.set("caller" as never, "alertmanager" as never);
      return next();
    }
    if (presented?.startsWith("apt_")) return operator(c, next);
    const how = configured ? "`Authorization: Bearer <ALERTMANAGER_WEBHOOK_TOKEN>` or an operator's API token" : "an operator's API token as `Authorization: Bearer <token>` (or set ALERTMANAGER_WEBHOOK_TOKEN and send that)";
    throw new HttpError(401, "unauthenticated", `the webhook needs ${how}`);
  };
}

/** `POST /api/v1/alerts/alertmanager`: Alertmanager's webhook (payload version 4). */
export function alertRoutes(ap: Autopilot, guards: Guards) {
  return new OpenAPIHono().openapi(
    { ...route, middleware: webhookAuth(ap.alertmanagerToken, Boolean(ap.config.alerts.webhookToken), guards.operator) },
    async (c) => {
      const payload = c.req.valid("json");
      if (payload.truncatedAlerts > 0) ap.logger.warn({ truncated: payload.truncatedAlerts, group_key: payload.groupKey }, "Alertmanager truncated alerts; raise max_alerts");
      // Every alert is stored before the answer; dedup and grouping happen in the same transaction.
      const result = await ap.store.alerts.ingest(payload, {
        now: ap.platform.clock.now(),
        groupWindowMs: ap.config.alerts.groupWindowMs,
        defaultEnvironment: ap.environment,
        classify: (alert) => classifyAlert(alert as never, ap.environment),
      });
      if (result.cyclesStarted.length > 0) ap.runner.wake();
      return c.json({ accepted: result.alerts.length, alerts: result.alerts, cycles_started: result.cyclesStarted }, 202);
    },
    validationHookWith("invalid_payload", (problems) => `not an Alertmanager webhook payload (version 4): ${problems.slice(0, 3).join("; ")}`),
  );
}
