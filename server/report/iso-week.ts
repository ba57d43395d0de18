import { AutopilotError } from "../../core/index.js";

/** An ISO 8601 week in UTC: Monday 00:00 to the next Monday 00:00. */
export interface IsoWeek {
  /** `YYYY-Www`, e.g. `2026-W47` (the ISO week-numbering year, which can differ from the calendar year near New Year). */
  label: string;
  start: Date;
  end: Date;
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const LABEL = /^(\d{4})-W(\d{2})$/;

/** A week label that does not name an ISO week. */
export class IsoWeekError extends AutopilotError {
  override name = "IsoWeekError";
}

/** Whether `error` is an IsoWeekError. */
export function isIsoWeekError(error: unknown): error is IsoWeekError {
  return error instanceof IsoWeekError;
}

/** Monday 00:00 UTC of the week holding `at`. */
function mondayOf(at: Date): Date {
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  // getUTCDay: Sunday 0 .. Saturday 6; ISO weeks start on Monday.
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return new Date(day - sinceMonday * DAY_MS);
}

/** Monday of week 1 of an ISO year: the week holding 4 January. */
function firstMonday(year: number): Date {
  return mondayOf(new Date(Date.UTC(year, 0, 4)));
}

/** How many weeks (52 or 53) the ISO year has. */
export function weeksInIsoYear(year: number): number {
  return Math.round((firstMonday(year + 1).getTime() - firstMonday(year).getTime()) / WEEK_MS);
}

/** The ISO week holding `at`. */
export function isoWeekOf(at: Date): IsoWeek {
  const start = mondayOf(at);
  // The week belongs to the year its Thursday falls in.
  const year = new Date(start.getTime() + 3 * DAY_MS).getUTCFullYear();
  const week = Math.round((start.getTime() - firstMonday(year).getTime()) / WEEK_MS) + 1;
  return { label: `${year}-W${String(week).padStart(2, "0")}`, start, end: new Date(start.getTime() + WEEK_MS) };
}

/** Parses `YYYY-Www`; throws an IsoWeekError saying what is wrong with it. */
export function parseIsoWeek(label: string): IsoWeek {
  const match = LABEL.exec(label.trim());
  if (!match) throw new IsoWeekError("invalid_week", `"${label}" is not an ISO week: write YYYY-Www, e.g. 2026-W07`);
  const year = Number(match[1]);
  const week = Number(match[2]);
  const weeks = weeksInIsoYear(year);
  if (week < 1 || week > weeks) throw new IsoWeekError("invalid_week", `"${label}" is not an ISO week: ${year} has weeks W01 to W${weeks}`);
  const start = new Date(firstMonday(year).getTime() + (week - 1) * WEEK_MS);
  return { label: `${year}-W${match[2]}`, start, end: new Date(start.getTime() + WEEK_MS) };
}

/** The `count` weeks ending with the one holding `now`, oldest first. */
export function lastIsoWeeks(now: Date, count: number): IsoWeek[] {
  const current = isoWeekOf(now);
  return Array.from({ length: count }, (_, i) => isoWeekOf(new Date(current.start.getTime() - (count - 1 - i) * WEEK_MS)));
}
