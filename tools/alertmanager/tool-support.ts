import { z } from "zod";
import { errorOutcome } from "../outcome.js";
import type { ToolContext, ToolFlags, ToolOutcome } from "../tool.js";
import type { AlertmanagerClient } from "./client.js";

/** Flags of the tools that change Alertmanager's silences (what pages people, not what serves users). */
export const SILENCE_FLAGS = { readOnly: false, destructive: false, openWorld: true } as const satisfies Omit<ToolFlags, "idempotent">;

/** Who Alertmanager shows as the silence's author. */
export const CREATED_BY = "mlops-autopilot";

/** Input field: matcher strings an alert must all match. */
export const filterField = z
  .array(z.string().min(3).max(256))
  .max(10)
  .default([])
  .describe('Matchers an alert must all match, in Alertmanager\'s syntax: e.g. ["service=\\"search\\"", "alertname=~\\"Search.*\\""]; empty for every alert');

/** Input field: a silence id (Alertmanager's UUIDs). */
export const silenceIdField = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "an Alertmanager silence id (a UUID)")
  .describe("Id of the silence, as alertmanager_create_silence returned it");

/**
 * Runs `fn` with the Alertmanager client, or returns an error outcome when this deployment has
 * none. Cancellation propagates to the policy gate; any other failure becomes an error outcome.
 */
export async function withAlertmanager<O>(ctx: ToolContext, fn: (client: AlertmanagerClient) => Promise<ToolOutcome<O>>): Promise<ToolOutcome<O>> {
  const client = ctx.clients.alertmanager;
  if (!client) {
    const message = "Alertmanager is not configured for this deployment (set ALERTMANAGER_URL); alerts and silences cannot be read or changed";
    return { status: "error", summary: message, error: { code: "not_configured", system: "alertmanager", message, retryable: false } };
  }
  try {
    return await fn(client);
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    return errorOutcome(error);
  }
}

/** `name="value"` as Alertmanager writes a matcher. */
export function formatMatcher(m: { name: string; value: string; isRegex: boolean; isEqual: boolean }): string {
  const op = m.isRegex ? (m.isEqual ? "=~" : "!~") : m.isEqual ? "=" : "!=";
  return `${m.name}${op}${JSON.stringify(m.value)}`;
}
