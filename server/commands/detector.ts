import path from "node:path";
import { INTERNAL_SIGNALS, isSignal, systemClock, DEFAULT_SERVICE_CATALOG } from "../../core/index.js";
import { detectorModelName } from "../../tools/index.js";
import { startDriftCycle } from "../alerts/drift-alert.js";
import { createAlertsRepo, migrate, openDatabase } from "../store/index.js";
import type { Config } from "../config.js";

/** The detector model version a request names: not a registered version, so each request is one alert until its cycle ends. */
export const REQUESTED_VERSION = "requested";

/**
 * `autopilot detector train <service>:<signal>`: queues a detector_drift cycle for the series, the way
 * the monitor does when its detector drifts; a server replica claims it and the policies gate every
 * step. This is how a series gets its first registered detector (until then it is scored ad hoc).
 */
export async function runDetector(config: Config, args: { action: string; series: string | undefined }, out: (line: string) => void): Promise<number> {
  if (args.action !== "train" || !args.series) {
    out("usage: autopilot detector train <service>:<signal>   e.g. search:ndcg_drop");
    return 2;
  }
  const [service, signal] = args.series.split(":");
  if (!service || !isSignal(signal) || INTERNAL_SIGNALS.includes(signal)) {
    out(`"${args.series}" is not <service>:<signal> with a signal of the trigger contract (${Object.keys(config.contract.signals).filter((s) => !INTERNAL_SIGNALS.includes(s as never)).join(", ")})`);
    return 2;
  }
  const known = Object.keys(DEFAULT_SERVICE_CATALOG);
  if (!known.includes(service)) {
    out(`service "${service}" is not in the service catalog (${known.join(", ")})`);
    return 2;
  }
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: path.join(config.home, "pgdata") });
  try {
    await migrate(db);
    const series = `${service}:${signal}`;
    const now = systemClock.now();
    const started = await startDriftCycle(
      { alerts: createAlertsRepo(db), environment: config.environment, now: () => now, groupWindowMs: config.alerts.groupWindowMs, wake: () => undefined },
      { environment: config.environment, series, signal, service, model: { name: detectorModelName(series), version: REQUESTED_VERSION }, psi: null, at: now.toISOString() },
    );
    out(started.length ? `queued ${started[0]}: a running server trains, gates and promotes the ${series} detector` : `a cycle of ${service} is already active; the request joined it`);
    return 0;
  } finally {
    await db.close();
  }
}
