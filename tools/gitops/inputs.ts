import { z } from "zod";

/** An Argo CD application name as GitOps paths use it. */
export const AppField = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case Argo CD application name").describe("Argo CD application name, e.g. search.");

/** Worker counts per ETL processor. */
export const ProcessorsField = z
  .record(z.string().regex(/^[a-z][a-z0-9_-]*$/, "processor name"), z.object({ workers: z.number().int().min(1).max(256).describe("worker replicas of the processor") }))
  .refine((p) => Object.keys(p).length > 0 && Object.keys(p).length <= 20, "name between 1 and 20 processors")
  .describe("Workers per ETL processor, e.g. { embed: { workers: 8 } }.");

/** The processors map of a values file, when it has one. */
export function processorsOf(values: Record<string, unknown>): Record<string, { workers: number }> {
  const p = values.processors;
  if (!p || typeof p !== "object") return {};
  return Object.fromEntries(
    Object.entries(p as Record<string, unknown>).filter(([, v]) => typeof (v as { workers?: unknown })?.workers === "number") as Array<[string, { workers: number }]>,
  );
}
