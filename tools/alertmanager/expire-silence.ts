import { z } from "zod";
import { defineTool, type ToolOutcome } from "../tool.js";
import { formatMatcher, SILENCE_FLAGS, silenceIdField, withAlertmanager } from "./tool-support.js";

/** What `alertmanager_expire_silence` returns. */
export interface ExpireSilenceData {
  silence_id: string;
  matchers: string[];
  /** The silence's state before the call: active, pending or expired. */
  state_before: string;
  /** Whether it had already expired, so nothing changed. */
  already_expired: boolean;
}

/** `alertmanager_expire_silence`: ends a silence now; ending an expired one changes nothing. */
export const expireSilenceTool = defineTool({
  name: "alertmanager_expire_silence",
  system: "alertmanager",
  title: "Expire an Alertmanager silence",
  description:
    "Ends an Alertmanager silence now, so the alerts it matched notify again. Expiring a silence that has already ended changes nothing and is not an error; an unknown id is.",
  input: z.object({
    silence_id: silenceIdField,
    reason: z.string().min(1).max(500).describe("Why the silence is no longer needed (recorded in the audit trail)"),
  }),
  flags: { ...SILENCE_FLAGS, idempotent: true },
  timeoutMs: 60_000,
  run: ({ silence_id }, ctx) =>
    withAlertmanager(ctx, async (am): Promise<ToolOutcome<ExpireSilenceData>> => {
      const silence = await am.getSilence(silence_id, { signal: ctx.signal });
      if (!silence) {
        const message = `Alertmanager has no silence ${silence_id}`;
        return { status: "error", summary: message, error: { code: "silence_not_found", system: "alertmanager", message, retryable: false } };
      }
      const matchers = silence.matchers.map(formatMatcher);
      const before = silence.status.state;
      // Alertmanager refuses to expire an expired silence (500); there is nothing to do.
      const result = before === "expired" ? "already_expired" : await am.expireSilence(silence_id, { signal: ctx.signal });
      const data: ExpireSilenceData = { silence_id, matchers, state_before: before, already_expired: result === "already_expired" };
      const summary =
        result === "already_expired"
          ? `Silence ${silence_id} (${matchers.join(", ")}) had already expired; nothing changed`
          : `Expired silence ${silence_id} (${matchers.join(", ")}), which was ${before}; its alerts notify again`;
      return { status: "success", summary, data };
    }),
});
