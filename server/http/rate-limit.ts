import type { Context, MiddlewareHandler } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";
import { rateLimiter, type ClientRateLimitInfo, type RateLimitInfo, type Store } from "hono-rate-limiter";
import { HttpError } from "./errors.js";

const WINDOW_MS = 60_000;

/**
 * A fixed-window hit counter in this process's memory. It keeps no timer (the library's store keeps
 * an interval per limiter, which would outlive each app the eval runner and the tests build): windows
 * that ended are swept once a window, as requests come in.
 */
export function createWindowStore(windowMs = WINDOW_MS, now: () => number = Date.now): Store {
  const hits = new Map<string, { totalHits: number; resetTime: Date }>();
  let nextSweep = now() + windowMs;
  const sweep = (t: number) => {
    if (t < nextSweep) return;
    for (const [key, entry] of hits) if (entry.resetTime.getTime() <= t) hits.delete(key);
    nextSweep = t + windowMs;
  };
  return {
    localKeys: true,
    get: (key) => hits.get(key),
    increment(key): ClientRateLimitInfo {
      const t = now();
      sweep(t);
      let entry = hits.get(key);
      if (!entry || entry.resetTime.getTime() <= t) {
        entry = { totalHits: 0, resetTime: new Date(t + windowMs) };
        hits.set(key, entry);
      }
      entry.totalHits++;
      return entry;
    },
    decrement(key) {
      const entry = hits.get(key);
      if (entry && entry.totalHits > 0) entry.totalHits--;
    },
    resetKey(key) {
      hits.delete(key);
    },
  };
}

/** The address the connection came from (a proxy's, behind one), or "unknown" outside a Node server. */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * At most `perMinute` requests per key in each minute, counted by this replica alone; the next ones
 * get 429 in the error shape with `Retry-After` (and the RateLimit-* headers on every answer).
 */
export function limitRate(options: { perMinute: number; key: (c: Context) => Promise<string> | string; what: string; now?: () => number }): MiddlewareHandler {
  return rateLimiter({
    windowMs: WINDOW_MS,
    limit: options.perMinute,
    standardHeaders: "draft-6",
    keyGenerator: options.key,
    store: createWindowStore(WINDOW_MS, options.now),
    handler: (c) => {
      const info = c.get("rateLimit" as never) as RateLimitInfo | undefined;
      const now = options.now?.() ?? Date.now();
      const seconds = Math.max(1, Math.ceil(((info?.resetTime?.getTime() ?? now + WINDOW_MS) - now) / 1000));
      c.header("Retry-After", String(seconds));
      throw new HttpError(429, "rate_limited", `more than ${options.perMinute} ${options.what} a minute; try again in ${seconds} s`, { retry_after_seconds: seconds, limit_per_minute: options.perMinute });
    },
  });
}
