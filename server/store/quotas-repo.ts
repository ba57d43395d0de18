import type pg from "pg";
import type { Database } from "./db.js";

/** What a quota reservation answered. */
export interface Reservation {
  ok: boolean;
  /** The quota's use in the period after the attempt. */
  used: number;
}

/** Daily quotas of an environment: cycle slots and spend, reserved atomically. */
export interface QuotasRepo {
  /** Cycles that took a slot and USD spent in `period` (a UTC day `YYYY-MM-DD`). */
  usage(environment: string, period: string): Promise<{ cycles: number; spentUsd: number }>;
  /** Whether `cycleId` holds a cycle slot in `period`. */
  holdsSlot(environment: string, period: string, cycleId: string): Promise<boolean>;
  /** usage() and holdsSlot() in one read (false without a cycle): what a policy decision needs. */
  state(environment: string, period: string, cycleId: string | null): Promise<{ cycles: number; spentUsd: number; holdsSlot: boolean }>;
  /** Takes a cycle slot for `cycleId` unless `limit` slots are taken; taking it twice is taking it once. */
  reserveCycleSlot(input: { environment: string; period: string; cycleId: string; limit: number; now: Date }): Promise<Reservation>;
  /** Adds `amountUsd` to the period's spend unless it would pass `budgetUsd`; records it against the cycle. */
  reserveSpend(input: { environment: string; period: string; cycleId: string; amountUsd: number; budgetUsd: number; now: Date }): Promise<Reservation>;
  /** USD `cycleId` has reserved in `period`. */
  reservedBy(environment: string, period: string, cycleId: string): Promise<number>;
}

/** [cycles, spent USD, whether cycle $4 holds a slot] of quotas $2 (cycles) and $3 (spend) in period $1, as JSON. */
const QUOTA_STATE = `SELECT json_build_array(
  COALESCE((SELECT used FROM quota_counters WHERE period = $1 AND quota = $2), 0),
  COALESCE((SELECT used FROM quota_counters WHERE period = $1 AND quota = $3), 0),
  EXISTS (SELECT 1 FROM quota_reservations WHERE cycle_id = $4 AND quota = $2 AND period = $1))`;

const cyclesQuota = (env: string) => `cycles:${env}`;
const spendQuota = (env: string) => `spend_usd:${env}`;

async function hold(client: pg.PoolClient, cycleId: string, quota: string, period: string, amount: number, now: Date) {
  await client.query(
    `INSERT INTO quota_reservations (cycle_id, quota, period, amount, updated_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (cycle_id, quota, period) DO UPDATE SET amount = quota_reservations.amount + EXCLUDED.amount, updated_at = EXCLUDED.updated_at`,
    [cycleId, quota, period, amount, now],
  );
}

/** The quotas repository. Each reservation is one conditional upsert: it takes the row lock, so it cannot race. */
export function createQuotasRepo(db: Database): QuotasRepo {
  const used = async (client: { query(text: string, params: unknown[]): Promise<pg.QueryResult> }, quota: string, period: string) => {
    const r = await client.query("SELECT used FROM quota_counters WHERE quota = $1 AND period = $2", [quota, period]);
    return r.rows[0] ? Number(r.rows[0].used) : 0;
  };
  return {
    async usage(environment, period) {
      const r = await db.query("SELECT quota, used FROM quota_counters WHERE period = $1 AND quota IN ($2, $3)", [period, cyclesQuota(environment), spendQuota(environment)]);
      const of = (quota: string) => Number(r.rows.find((row) => row.quota === quota)?.used ?? 0);
      return { cycles: of(cyclesQuota(environment)), spentUsd: of(spendQuota(environment)) };
    },
    async state(environment, period, cycleId) {
      // Every gate call reads this beside the flags and the gate overrides: one batched SELECT.
      const state = (await db.select(QUOTA_STATE, [period, cyclesQuota(environment), spendQuota(environment), cycleId])) as [number, number, boolean] | null;
      return { cycles: Number(state?.[0] ?? 0), spentUsd: Number(state?.[1] ?? 0), holdsSlot: state?.[2] === true };
    },
    async holdsSlot(environment, period, cycleId) {
      const r = await db.query("SELECT 1 FROM quota_reservations WHERE cycle_id = $1 AND quota = $2 AND period = $3", [cycleId, cyclesQuota(environment), period]);
      return (r.rowCount ?? 0) > 0;
    },
    reserveCycleSlot: ({ environment, period, cycleId, limit, now }) =>
      db.withTransaction(async (client) => {
        const quota = cyclesQuota(environment);
        const held = await client.query("SELECT 1 FROM quota_reservations WHERE cycle_id = $1 AND quota = $2 AND period = $3", [cycleId, quota, period]);
        if ((held.rowCount ?? 0) > 0) return { ok: true, used: await used(client, quota, period) };
        const taken = await client.query(
          `INSERT INTO quota_counters (quota, period, used) SELECT $1, $2, 1 WHERE $3::int >= 1
           ON CONFLICT (quota, period) DO UPDATE SET used = quota_counters.used + 1 WHERE quota_counters.used < $3::int
           RETURNING used`,
          [quota, period, limit],
        );
        if (!taken.rows[0]) return { ok: false, used: await used(client, quota, period) };
        await hold(client, cycleId, quota, period, 1, now);
        return { ok: true, used: Number(taken.rows[0].used) };
      }),
    reserveSpend: ({ environment, period, cycleId, amountUsd, budgetUsd, now }) =>
      db.withTransaction(async (client) => {
        const quota = spendQuota(environment);
        const taken = await client.query(
          `INSERT INTO quota_counters (quota, period, used) SELECT $1, $2, $3::numeric WHERE $3::numeric <= $4::numeric
           ON CONFLICT (quota, period) DO UPDATE SET used = quota_counters.used + $3::numeric WHERE quota_counters.used + $3::numeric <= $4::numeric
           RETURNING used`,
          [quota, period, amountUsd, budgetUsd],
        );
        if (!taken.rows[0]) return { ok: false, used: await used(client, quota, period) };
        await hold(client, cycleId, quota, period, amountUsd, now);
        return { ok: true, used: Number(taken.rows[0].used) };
      }),
    async reservedBy(environment, period, cycleId) {
      const r = await db.query("SELECT amount FROM quota_reservations WHERE cycle_id = $1 AND quota = $2 AND period = $3", [cycleId, spendQuota(environment), period]);
      return r.rows[0] ? Number(r.rows[0].amount) : 0;
    },
  };
}
