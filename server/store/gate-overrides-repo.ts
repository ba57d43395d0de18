import type { Database } from "./db.js";
import { jsonValue } from "./rows.js";

/** An admin's override of one signal's quality gate in one environment. */
export interface GateOverride {
  environment: string;
  signal: string;
  rules: unknown[];
  reason: string;
  updatedBy: string;
  updatedAt: Date;
}

/** Quality-gate overrides. */
export interface GateOverridesRepo {
  list(environment: string): Promise<GateOverride[]>;
  set(input: { environment: string; signal: string; rules: unknown[]; reason: string; by: string; now: Date }): Promise<GateOverride>;
  /** Removes an override; true when there was one. */
  remove(environment: string, signal: string): Promise<boolean>;
}

/** The overrides of environment $1 as a JSON array of rows, by signal. */
const OVERRIDES_OF_ENVIRONMENT = "SELECT json_agg(o ORDER BY o.signal) FROM gate_overrides o WHERE o.environment = $1";

const toRow = (r: Record<string, unknown>): GateOverride => ({
  environment: String(r.environment),
  signal: String(r.signal),
  rules: r.rules as unknown[],
  reason: String(r.reason),
  updatedBy: String(r.updated_by),
  updatedAt: new Date(r.updated_at as string),
});

/** The gate overrides repository. */
export function createGateOverridesRepo(db: Database): GateOverridesRepo {
  return {
    async list(environment) {
      // Every gate call reads this beside the flags and the quota state: one batched SELECT.
      const rows = await db.select(OVERRIDES_OF_ENVIRONMENT, [environment]);
      return ((rows ?? []) as Array<Record<string, unknown>>).map(toRow);
    },
    async set({ environment, signal, rules, reason, by, now }) {
      const r = await db.query(
        `INSERT INTO gate_overrides (environment, signal, rules, reason, updated_by, updated_at) VALUES ($1, $2, $3::jsonb, $4, $5, $6)
         ON CONFLICT (environment, signal) DO UPDATE SET rules = EXCLUDED.rules, reason = EXCLUDED.reason, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
         RETURNING *`,
        [environment, signal, jsonValue(rules), reason, by, now],
      );
      return toRow(r.rows[0]!);
    },
    async remove(environment, signal) {
      const r = await db.query("DELETE FROM gate_overrides WHERE environment = $1 AND signal = $2", [environment, signal]);
      return (r.rowCount ?? 0) > 0;
    },
  };
}
