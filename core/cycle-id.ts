/** Cycle ids read `si_YYYY_MM_DD_NNN`: the UTC day the cycle started and its number that day. */
export const CYCLE_ID_PATTERN = /^si_(\d{4})_(\d{2})_(\d{2})_(\d{3,})$/;

/** The UTC day key (`YYYY_MM_DD`) cycle numbering restarts on. */
export function cycleDay(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 4)}_${iso.slice(5, 7)}_${iso.slice(8, 10)}`;
}

/** Formats the id of the `n`-th cycle of `day` (1-based). */
export function formatCycleId(day: string, n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`cycle number must be a positive integer, got ${n}`);
  return `si_${day}_${String(n).padStart(3, "0")}`;
}

/** Whether `id` is a well-formed cycle id. */
export function isCycleId(id: string): boolean {
  return CYCLE_ID_PATTERN.test(id);
}
