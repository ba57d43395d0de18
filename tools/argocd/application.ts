import { z } from "zod";

/**
 * The Argo CD `Application` as section 4.4 of the API contracts describes it. Objects are loose
 * (unknown fields pass through); only the fields the autopilot reads are validated.
 */

// int64 ids may be rendered as JSON strings by some gateways; accept both.
const HistoryId = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

const HistoryEntrySchema = z.looseObject({
  id: HistoryId,
  revision: z.string().optional(),
  revisions: z.array(z.string()).nullish(),
  deployedAt: z.string().optional(),
});

const ResourceResultSchema = z.looseObject({
  group: z.string().optional(),
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  status: z.string().optional(),
  message: z.string().optional(),
  hookPhase: z.string().optional(),
});

const OperationStateSchema = z.looseObject({
  phase: z.string(),
  message: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().nullish(),
  syncResult: z.looseObject({ revision: z.string().optional(), resources: z.array(ResourceResultSchema).nullish() }).nullish(),
});

/** zod schema of an Application. */
export const ApplicationSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string(), namespace: z.string().optional() }),
  operation: z.looseObject({}).nullish(),
  status: z
    .looseObject({
      sync: z.looseObject({ status: z.string(), revision: z.string().optional() }).optional(),
      health: z.looseObject({ status: z.string(), message: z.string().optional() }).optional(),
      operationState: OperationStateSchema.nullish(),
      history: z.array(HistoryEntrySchema).nullish(),
      reconciledAt: z.string().nullish(),
    })
    .optional(),
});
/** An Argo CD Application. */
export type Application = z.infer<typeof ApplicationSchema>;
/** One entry of `status.history` (a rollback target). */
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

/** zod schema of `GET /api/v1/applications` (grpc-gateway writes `items: null` for an empty list). */
export const ApplicationListSchema = z.looseObject({ items: z.array(ApplicationSchema).nullish() });

/** zod schema of an Argo CD error body (section 4.2). */
export const ArgoErrorSchema = z.looseObject({ error: z.string().optional(), code: z.number().optional(), message: z.string().optional() });

/** The application's history, oldest first. */
export function historyOf(app: Application): HistoryEntry[] {
  return app.status?.history ?? [];
}

/** The newest history entry (`status.history[-1]`), if any. */
export function lastHistory(app: Application): HistoryEntry | undefined {
  return historyOf(app).at(-1);
}

/** The git revision of a history entry (the first source's, for multi-source apps). */
export function entryRevision(entry: HistoryEntry | undefined): string | undefined {
  return entry?.revision ?? entry?.revisions?.[0] ?? undefined;
}

/** Whether a synced revision is the one asked for (a full sha, or a sha prefix of at least 7 characters). */
export function revisionMatches(actual: string, expected: string): boolean {
  if (actual === expected) return true;
  const sha = /^[0-9a-f]{7,40}$/i;
  return sha.test(actual) && sha.test(expected) && actual.toLowerCase().startsWith(expected.toLowerCase());
}
