import { z } from "zod";
import YAML from "yaml";
import { AutopilotError } from "../../core/index.js";

/** A GitOps repository operation failed (malformed values, unknown revision, missing app). */
export class GitOpsError extends AutopilotError {
  override name = "GitOpsError";
}

/** The Helm values the autopilot manages for one app and environment; other keys are kept as they are. */
export type HelmValues = {
  model: { name: string; version: string };
  canary: { enabled: boolean; version: string | null; weight: number };
  [key: string]: unknown;
};

/** A patch: any subset of the values, at any depth. */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** zod schema of a values file; unknown keys pass through. */
export const HelmValuesSchema: z.ZodType<HelmValues> = z
  .looseObject({
    model: z.looseObject({ name: z.string().min(1), version: z.string().min(1) }),
    canary: z.looseObject({
      enabled: z.boolean(),
      version: z.string().min(1).nullable(),
      weight: z.number().int().min(0).max(100),
    }),
  })
  .superRefine((values, ctx) => {
    if (values.canary.enabled && values.canary.version === null) {
      ctx.addIssue({ code: "custom", path: ["canary", "version"], message: "an enabled canary needs a version" });
    }
  });

/** Validates values, naming the file (`where`) and the first offending key in the error. */
export function validateValues(raw: unknown, where: string): HelmValues {
  const parsed = HelmValuesSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
  throw new GitOpsError("gitops_values_invalid", `${where} is not a valid values file: ${problems.join("; ")}`);
}

/** Parses and validates the text of a values file. */
export function parseValues(text: string, where: string): HelmValues {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (error) {
    throw new GitOpsError("gitops_values_invalid", `${where} is not valid YAML: ${(error as Error).message.split("\n")[0]}`, { cause: error });
  }
  return validateValues(raw, where);
}

/** The YAML text of values or of a patch. */
export function formatValues(values: unknown): string {
  return YAML.stringify(values, { lineWidth: 0 });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Merges `patch` into `base` without changing either: objects merge key by key, anything else
 * (scalars, null, arrays) replaces; undefined leaves a key alone. Existing keys keep their order.
 */
export function deepMerge<T>(base: T, patch: DeepPartial<T> | Record<string, unknown>): T {
  if (!isPlainObject(base) || !isPlainObject(patch)) return structuredClone(patch) as T;
  const merged: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    merged[key] = isPlainObject(merged[key]) && isPlainObject(value) ? deepMerge(merged[key], value) : structuredClone(value);
  }
  return merged as T;
}
