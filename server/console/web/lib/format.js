// How numbers, instants and durations read in the console.

/**
 * A duration in words a person reads at a glance: 850 ms, 12.4 s, 3 min 20 s, 2 h 5 min, 3 d 4 h.
 * @param {number | null | undefined} ms
 */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min${Math.round(s % 60) ? ` ${Math.round(s % 60)} s` : ""}`;
  const hrs = Math.floor(m / 60);
  if (hrs < 48) return `${hrs} h${m % 60 ? ` ${m % 60} min` : ""}`;
  return `${Math.floor(hrs / 24)} d${hrs % 24 ? ` ${hrs % 24} h` : ""}`;
}

/**
 * The time between two instants (the second defaults to now).
 * @param {string | null | undefined} from
 * @param {string | null | undefined} [to]
 */
export function between(from, to) {
  if (!from) return null;
  const end = to ? Date.parse(to) : Date.now();
  return end - Date.parse(from);
}

const dateTime = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/**
 * An instant in the reader's time zone; `short` drops the date.
 * @param {string | null | undefined} iso
 * @param {{ short?: boolean }} [options]
 */
export function formatTime(iso, options = {}) {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return (options.short ? timeOnly : dateTime).format(d);
}

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayClock = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });

/**
 * An instant as a chart axis label: hours and minutes, with the day when `withDay`.
 * @param {number} ms
 * @param {boolean} [withDay]
 */
export function formatClock(ms, withDay = false) {
  return (withDay ? dayClock : clock).format(new Date(ms));
}

/**
 * How far an instant is from now: "in 42 min", "3 min ago".
 * @param {string | null | undefined} iso
 * @param {number} [now]
 */
export function relativeTime(iso, now = Date.now()) {
  if (!iso) return "–";
  const diff = Date.parse(iso) - now;
  if (!Number.isFinite(diff)) return String(iso);
  const words = formatDuration(Math.abs(diff));
  return diff >= 0 ? `in ${words}` : `${words} ago`;
}

/**
 * A number with at most `digits` decimals, grouped for reading.
 * @param {number} value
 * @param {number} [digits]
 */
export function formatNumber(value, digits = 3) {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString(undefined, { maximumFractionDigits: digits });
}

/**
 * A JSON key as words: `cycles_per_week` -> "Cycles per week", `avgCycleMs` -> "Avg cycle ms".
 * @param {string} key
 */
export function humanize(key) {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A field of an API object under its snake_case name or the camelCase one (the store's rows use
 * camelCase, the API's own views snake_case).
 * @param {object} obj
 * @param {string} snake
 * @returns {any}
 */
export function field(obj, snake) {
  const o = /** @type {Record<string, unknown>} */ (obj);
  if (snake in o) return o[snake];
  return o[snake.replace(/_([a-z])/g, (_, c) => c.toUpperCase())];
}

/**
 * A byte count: 761 B, 2.0 KiB.
 * @param {number} bytes
 */
export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
