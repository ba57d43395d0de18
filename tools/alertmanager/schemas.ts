import { z } from "zod";

/**
 * zod schemas of the Alertmanager API v2 answers the client reads (section 2.2 of the API
 * contract reference, `api/v2/openapi.yaml`). Optional lists become empty lists.
 */

const LabelSet = z.record(z.string(), z.string());
const Ids = z
  .array(z.string())
  .nullish()
  .transform((ids) => ids ?? []);

/** `alertStatus`; `mutedBy` exists in newer releases only. */
const AlertStatusSchema = z.object({
  state: z.enum(["unprocessed", "active", "suppressed"]),
  silencedBy: Ids,
  inhibitedBy: Ids,
  mutedBy: Ids,
});

/** `gettableAlert`. */
const GettableAlertSchema = z.object({
  labels: LabelSet,
  annotations: LabelSet.nullish().transform((a) => a ?? {}),
  receivers: z.array(z.object({ name: z.string() })),
  fingerprint: z.string(),
  startsAt: z.string(),
  updatedAt: z.string(),
  endsAt: z.string(),
  generatorURL: z.string().nullish(),
  status: AlertStatusSchema,
});
/** An alert as GET /api/v2/alerts returns it. */
export type GettableAlert = z.output<typeof GettableAlertSchema>;

/** GET /api/v2/alerts. */
export const GettableAlertsSchema = z.array(GettableAlertSchema);

/** `matcher`; `isEqual` defaults to true (older servers omit it). */
const MatcherSchema = z.object({
  name: z.string(),
  value: z.string(),
  isRegex: z.boolean(),
  isEqual: z.boolean().default(true),
});
/** `gettableSilence`. */
export const GettableSilenceSchema = z.object({
  id: z.string(),
  status: z.object({ state: z.enum(["expired", "active", "pending"]) }),
  updatedAt: z.string(),
  matchers: z.array(MatcherSchema),
  startsAt: z.string(),
  endsAt: z.string(),
  createdBy: z.string(),
  comment: z.string(),
  annotations: LabelSet.nullish(),
});
/** A silence as GET /api/v2/silence(s) returns it. */
export type GettableSilence = z.output<typeof GettableSilenceSchema>;

/** GET /api/v2/silences. */
export const GettableSilencesSchema = z.array(GettableSilenceSchema);

/** POST /api/v2/silences. */
export const PostSilenceResponseSchema = z.object({ silenceID: z.string().min(1) });

/** `postableAlert`: labels are required, everything else optional. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  /** RFC 3339; Alertmanager uses now (or `endsAt`) when it is missing. */
  startsAt?: string;
  /** RFC 3339; missing means the alert resolves after `resolve_timeout` unless re-posted. */
  endsAt?: string;
  generatorURL?: string;
}

/** What a new silence needs (`postableSilence` without `id`). */
export interface NewSilence {
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
  startsAt: Date | string;
  endsAt: Date | string;
  createdBy: string;
  comment: string;
}
