import type { MiddlewareHandler } from "hono";
import { parseDuration } from "./duration.js";
import type { ScenarioFault } from "./scenario.js";

/** The systems a scenario can make misbehave. */
export type FaultSystem = ScenarioFault["system"];

/** How a system's fault middleware learns the time and renders its 500. */
export interface FaultOptions {
  faults: readonly ScenarioFault[];
  startMs: number;
  now: () => number;
  /** The system's own JSON error body for `kind: error`. */
  errorBody: (message: string, path: string, now: number) => unknown;
  /** Headers the system sets on its plain-text 503 when it is down. */
  downHeaders?: Record<string, string>;
  /** Waits real milliseconds (slow faults). */
  realSleep: (ms: number) => Promise<void>;
}

/** Default real wait of a slow system. */
export const DEFAULT_SLOW_MS = 15_000;

/** The fault of `system` in force at `t`, if any (the first one listed wins). */
export function activeFault(faults: readonly ScenarioFault[], system: FaultSystem, startMs: number, t: number): ScenarioFault | undefined {
  return faults.find((f) => f.system === system && t >= startMs + parseDuration(f.from ?? "0s") && (f.until === undefined || t < startMs + parseDuration(f.until)));
}

/**
 * Makes a system misbehave while a scenario fault is in force: down answers 503 with a plain-text
 * body, error answers 500 in the system's JSON error format, garbage answers 200 with HTML, and
 * slow waits delay_ms real milliseconds before answering normally.
 */
export function faultMiddleware(system: FaultSystem, options: FaultOptions): MiddlewareHandler {
  return async (c, next) => {
    const fault = activeFault(options.faults, system, options.startMs, options.now());
    if (!fault) return next();
    switch (fault.kind) {
      case "down":
        return c.text("Service Unavailable", 503, options.downHeaders);
      case "error":
        return c.json(options.errorBody(`${system} internal error (sandbox fault)`, new URL(c.req.url).pathname, options.now()) as object, 500);
      case "garbage":
        return c.html("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>", 200);
      case "slow":
        await options.realSleep(fault.delay_ms ?? DEFAULT_SLOW_MS);
        return next();
    }
  };
}
