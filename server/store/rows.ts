import type pg from "pg";

/** Something that runs a statement: a pool or a client inside a transaction. */
export type Queryable = Pick<pg.ClientBase, "query">;

/** A bigint or int column as a number (pg returns int8 as a string). */
export function toNumber(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}

/** A nullable timestamptz column. */
export function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : new Date(value as string | Date);
}

/** A value for a `$n::jsonb` parameter (pg would turn a JS array into a Postgres array). */
export function jsonParam(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** SQL list of the statuses of a cycle that still needs work or a decision, for `status IN (...)`. */
export const ACTIVE_STATUS_SQL = "('queued', 'running', 'awaiting_approval')";

/** A value for a NOT NULL `$n::jsonb` parameter: undefined and null become JSON null. */
export function jsonValue(value: unknown): string {
  return JSON.stringify(value ?? null);
}
