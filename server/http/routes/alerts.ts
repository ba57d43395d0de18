import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { classifyAlert } from "../../alerts/classify.js";
import { WebhookPayloadSchema } from "../../alerts/webhook-schema.js";
import { readBody } from "../body.js";
import type { Autopilot } from "../../autopilot.js";
import { secretMatches } from "../auth.js";
import { HttpError } from "../errors.js";

/** Largest webhook body accepted (Alertmanager groups rarely exceed a few hundred KB). */
export const WEBHOOK_MAX_BYTES = 1024 * 1024;

/** `POST /api/v1/alerts/alertmanager`: Alertmanager's webhook (payload version 4). */
export function alertRoutes(ap: Autopilot) {
  return new Hono().post(
    "/alertmanager",
    bodyLimit({
      maxSize: WEBHOOK_MAX_BYTES,
      onError: () => {
        throw new HttpError(413, "payload_too_large", `the webhook body exceeds ${WEBHOOK_MAX_BYTES} bytes`);
      },
    }),
    async (c) => {
      const expected = ap.config.alerts.webhookToken;
      if (expected) {
        const presented = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
        if (!secretMatches(presented, expected)) throw new HttpError(401, "unauthenticated", "the webhook needs `Authorization: Bearer <ALERTMANAGER_WEBHOOK_TOKEN>`");
      }
      const payload = await readBody(c, WebhookPayloadSchema, {
        code: "invalid_payload",
        describe: (problems) => `not an Alertmanager webhook payload (version 4): ${problems.slice(0, 3).join("; ")}`,
      });
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
  );
}
