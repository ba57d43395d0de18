import { z } from "zod";
import type { Database } from "./db.js";
import { StoreError } from "./errors.js";
import { jsonValue } from "./rows.js";
import type { FlagSnapshot } from "../../policies/index.js";

/** The flags the autopilot reads; rows for each environment are seeded by migration 002. */
export const FLAG_NAMES = [
  "kill_switch",
  "auto_promote",
  "auto_rollback",
  "ab_testing",
  "cost_optimization",
  "manual_approval_required",
  "max_cycles_per_day",
  "change_freeze",
] as const;
/** A known feature flag. */
export type FlagName = (typeof FLAG_NAMES)[number];

/** The flags of one environment, typed: the policy gate's view of them. */
export type FeatureFlags = FlagSnapshot;

/** A change-freeze window (ISO instants). */
export type FreezeWindow = FlagSnapshot["changeFreeze"]["windows"][number];

/** One flag row. */
export interface FlagRow {
  flagName: string;
  environment: string;
  enabled: boolean;
  metadata: Record<string, unknown>;
  updatedAt: Date;
  updatedBy: string;
}

/** Feature flags per environment. */
export interface FlagsRepo {
  /** The typed flags of an environment; a StoreError names a missing flag or bad metadata. */
  forEnvironment(environment: string): Promise<FeatureFlags>;
  /** Sets a known flag; metadata left undefined keeps the stored metadata. */
  set(flagName: string, environment: string, value: { enabled: boolean; metadata?: Record<string, unknown> }, by: string, now: Date): Promise<FlagRow>;
  list(): Promise<FlagRow[]>;
}

const SplitMeta = z.object({ split_percent: z.number().min(0).max(100) });
const BudgetMeta = z.object({ budget_usd_per_day: z.number().nonnegative() });
const LimitMeta = z.object({ limit: z.number().int().nonnegative() });
const FreezeMeta = z.object({ windows: z.array(z.object({ start: z.string(), end: z.string(), reason: z.string().optional() })) });
/** Flags whose metadata carries a setting; checked on write and on read. */
const METADATA: Partial<Record<FlagName, z.ZodType>> = {
  ab_testing: SplitMeta,
  cost_optimization: BudgetMeta,
  max_cycles_per_day: LimitMeta,
  change_freeze: FreezeMeta,
};

/** The flags of environment $1 as a JSON array of [flag_name, enabled, metadata]. */
const FLAGS_OF_ENVIRONMENT = "SELECT json_agg(json_build_array(flag_name, enabled, metadata)) FROM feature_flags WHERE environment = $1";

function metadataProblem(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
}

function toFlagRow(r: Record<string, unknown>): FlagRow {
  return {
    flagName: r.flag_name as string,
    environment: r.environment as string,
    enabled: r.enabled as boolean,
    metadata: (r.metadata as Record<string, unknown>) ?? {},
    updatedAt: new Date(r.updated_at as Date),
    updatedBy: r.updated_by as string,
  };
}

/** The flags repository. */
export function createFlagsRepo(db: Database): FlagsRepo {
  return {
    async forEnvironment(environment) {
      // Every gate call reads this beside the gate overrides and the quota state: one batched SELECT.
      const found = ((await db.select(FLAGS_OF_ENVIRONMENT, [environment])) ?? []) as Array<[string, boolean, unknown]>;
      const rows = new Map(found.map(([name, enabled, metadata]) => [name, { enabled, metadata: metadata ?? {} }]));
      const flag = (name: FlagName) => {
        const row = rows.get(name);
        if (!row) throw new StoreError("store_invalid_data", `feature flag ${name} is missing for environment ${environment}`);
        return row;
      };
      const meta = <T>(name: FlagName, schema: z.ZodType<T>): T => {
        const parsed = schema.safeParse(flag(name).metadata);
        if (parsed.success) return parsed.data;
        throw new StoreError("store_invalid_data", `feature flag ${name} in ${environment} has invalid metadata: ${metadataProblem(parsed.error)}`);
      };
      return {
        killSwitch: flag("kill_switch").enabled,
        autoPromote: flag("auto_promote").enabled,
        autoRollback: flag("auto_rollback").enabled,
        abTesting: { enabled: flag("ab_testing").enabled, splitPercent: meta("ab_testing", SplitMeta).split_percent },
        costOptimization: { enabled: flag("cost_optimization").enabled, budgetUsdPerDay: meta("cost_optimization", BudgetMeta).budget_usd_per_day },
        manualApprovalRequired: flag("manual_approval_required").enabled,
        maxCyclesPerDay: { enabled: flag("max_cycles_per_day").enabled, limit: meta("max_cycles_per_day", LimitMeta).limit },
        changeFreeze: { enabled: flag("change_freeze").enabled, windows: meta("change_freeze", FreezeMeta).windows },
      };
    },

    async set(flagName, environment, { enabled, metadata }, by, now) {
      if (!(FLAG_NAMES as readonly string[]).includes(flagName)) {
        throw new StoreError("store_invalid_data", `unknown feature flag ${flagName} (known: ${FLAG_NAMES.join(", ")})`);
      }
      const schema = METADATA[flagName as FlagName];
      const parsed = metadata === undefined || !schema ? undefined : schema.safeParse(metadata);
      if (parsed && !parsed.success) {
        throw new StoreError("store_invalid_data", `invalid metadata for feature flag ${flagName}: ${metadataProblem(parsed.error)}`);
      }
      const r = await db.query(
        `INSERT INTO feature_flags (flag_name, environment, enabled, metadata, updated_at, updated_by)
         VALUES ($1, $2, $3, COALESCE($4::jsonb, '{}'), $5, $6)
         ON CONFLICT (flag_name, environment) DO UPDATE SET enabled = EXCLUDED.enabled,
           metadata = COALESCE($4::jsonb, feature_flags.metadata), updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
         RETURNING *`,
        [flagName, environment, enabled, metadata === undefined ? null : jsonValue(metadata), now, by],
      );
      return toFlagRow(r.rows[0] as Record<string, unknown>);
    },

    async list() {
      const r = await db.query("SELECT * FROM feature_flags ORDER BY environment, flag_name");
      return r.rows.map(toFlagRow);
    },
  };
}
