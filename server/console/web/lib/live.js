// Keeping a page current: follow the server's event stream, and poll whenever the stream is not
// there (an older server, a proxy that buffers streams, a dropped connection), until the page is
// left. The page learns which mode it is in, to tell the reader how fresh what they see is.

import { isAbort } from "./api.js";
import { openEventStream } from "./sse.js";

/** @typedef {"connecting" | "live" | "polling"} LiveMode */

/**
 * @typedef {object} FollowOptions
 * @property {AbortSignal} signal stops everything when the page is left
 * @property {(event: import("./sse.js").SseEvent) => void} onEvent
 * @property {() => Promise<void>} poll re-reads what the stream would have told
 * @property {(mode: LiveMode) => void} [onMode]
 * @property {number} [pollMs] how often to poll without a stream
 * @property {number} [reconnectMs] wait before reopening a stream the server ended
 * @property {() => boolean} [done] true when there is nothing more to follow
 */

/**
 * Follows `path` until the signal aborts or `done()` says so.
 * @param {string} path
 * @param {FollowOptions} options
 */
export async function follow(path, options) {
  const { signal, pollMs = 5000, reconnectMs = 1000 } = options;
  const done = options.done ?? (() => false);
  const setMode = options.onMode ?? (() => {});
  let failures = 0;
  let streamMissing = false;
  while (!signal.aborted && !done()) {
    if (!streamMissing) {
      setMode("connecting");
      try {
        await openEventStream(path, { signal, onOpen: () => ((failures = 0), setMode("live")), onEvent: options.onEvent });
        // The server ended the stream (the thing settled, or it restarts): catch up, then reopen.
        await safePoll(options.poll);
        await sleep(reconnectMs, signal);
        continue;
      } catch (error) {
        if (isAbort(error)) return;
        const status = /** @type {{ status?: number }} */ (error).status ?? 0;
        // No such stream on this server, or the session is gone: streaming will not start working.
        if (status === 404 || status === 405 || status === 415 || status === 501 || status === 401 || status === 403) streamMissing = true;
        failures++;
      }
    }
    setMode("polling");
    await safePoll(options.poll);
    // Poll until it is time to try the stream again (never, when it does not exist).
    const retryAt = Date.now() + Math.min(30_000, 1000 * 2 ** failures);
    do {
      await sleep(pollMs, signal);
      if (signal.aborted || done()) return;
      await safePoll(options.poll);
    } while (streamMissing || Date.now() < retryAt);
  }
}

/** @param {() => Promise<void>} poll */
async function safePoll(poll) {
  try {
    await poll();
  } catch {
    // The page shows its own errors; a failed poll is retried at the next tick.
  }
}

/**
 * Resolves after `ms`, or at once when the signal aborts.
 * @param {number} ms
 * @param {AbortSignal} signal
 * @returns {Promise<void>}
 */
export function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Calls `fn` at most once per `ms`, `ms` after the first call of a burst (a burst of events becomes
 * one re-read shortly after it starts, not one per event).
 * @param {() => void} fn
 * @param {number} ms
 */
export function coalesce(fn, ms) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  return () => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
}
