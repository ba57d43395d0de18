import { z } from "zod";
import { defineTool, type ToolOutcome } from "../tool.js";
import { CREATED_BY, formatMatcher, SILENCE_FLAGS, withAlertmanager } from "./tool-support.js";

/** What `alertmanager_create_silence` returns. */
export interface CreateSilenceData {
  silence_id: string;
  matchers: string[];
  starts_at: string;
  ends_at: string;
  comment: string;
  created_by: string;
}

const MatcherInput = z.object({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "a label name").describe("Label name, e.g. alertname"),
  value: z.string().min(1).max(256).describe("Label value, or a regex when is_regex"),
  is_regex: z.boolean().default(false).describe("Whether value is a regex"),
  is_equal: z.boolean().default(true).describe("false to match alerts whose label does NOT equal (or match) the value"),
});

/** The longest silence the autopilot may set: a day; longer ones are a human's call. */
const MAX_SILENCE_MINUTES = 24 * 60;

/** `alertmanager_create_silence`: silences the alerts that match some matchers for a while. */
export const createSilenceTool = defineTool({
  name: "alertmanager_create_silence",
  system: "alertmanager",
  title: "Silence alerts in Alertmanager",
  description:
    "Creates an Alertmanager silence from now for duration_minutes: alerts matching every matcher stop notifying (they stay visible as suppressed). " +
    "At least one matcher must be an exact equality (e.g. alertname or service), so a silence never mutes everything. " +
    "The comment says why; the cycle id is appended to it. Returns the silence id, which alertmanager_expire_silence takes.",
  input: z.object({
    matchers: z
      .array(MatcherInput)
      .min(1)
      .max(10)
      .refine((ms) => ms.some((m) => !m.is_regex && m.is_equal), "at least one matcher must be an exact equality (is_regex false, is_equal true)")
      .describe('Matchers an alert must all match to be silenced, e.g. [{ "name": "alertname", "value": "SearchLatencyHigh" }, { "name": "service", "value": "search" }]'),
    duration_minutes: z.int().min(1).max(MAX_SILENCE_MINUTES).describe(`How long the silence lasts from now, 1 to ${MAX_SILENCE_MINUTES} minutes`),
    comment: z.string().min(1).max(500).describe("Why the alerts are silenced, for the people who see the silence"),
  }),
  flags: { ...SILENCE_FLAGS, idempotent: false },
  timeoutMs: 60_000,
  run: ({ matchers, duration_minutes, comment }, ctx) =>
    withAlertmanager(ctx, async (am): Promise<ToolOutcome<CreateSilenceData>> => {
      const startsAt = ctx.clock.now();
      const endsAt = new Date(startsAt.getTime() + duration_minutes * 60_000);
      const text = ctx.cycleId ? `${comment} (cycle ${ctx.cycleId})` : comment;
      const wire = matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.is_regex, isEqual: m.is_equal }));
      const id = await am.createSilence({ matchers: wire, startsAt, endsAt, createdBy: CREATED_BY, comment: text }, { signal: ctx.signal });
      const shown = wire.map(formatMatcher);
      const data: CreateSilenceData = { silence_id: id, matchers: shown, starts_at: startsAt.toISOString(), ends_at: endsAt.toISOString(), comment: text, created_by: CREATED_BY };
      return { status: "success", summary: `Silenced alerts matching ${shown.join(", ")} for ${duration_minutes} min, until ${data.ends_at} (silence ${id})`, data };
    }),
});
