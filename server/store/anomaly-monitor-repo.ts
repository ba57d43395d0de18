import type { Database } from "./db.js";

/** One run of flagged points of a series, as the anomaly monitor found it. */
export interface AnomalyEventInput {
  environment: string;
  series: string;
  start: Date;
  end: Date;
  peakScore: number;
  modelVersion: string | null;
  /** A recorded event of the series ending or starting within this of the event is the same one. */
  gapMs: number;
  /** The monitor (process) reporting it. */
  by: string;
  now: Date;
}

/** Whether an event is the caller's to report, or one reported before (by anyone). */
export type EventClaim = { status: "new" } | { status: "known"; startedAt: Date; reportedBy: string };

/** What the anomaly monitor has reported, shared by every replica. */
export interface AnomalyMonitorRepo {
  /**
   * Records an event unless a recorded event of the series overlaps it, or comes within `gapMs` of
   * it (then that one is extended to cover it): "new" goes to exactly one caller, however many race
   * on the same event.
   */
  claimEvent(input: AnomalyEventInput): Promise<EventClaim>;
  /**
   * Records that `modelVersion` of the series' detector drifted: true for exactly one caller, and
   * false again until `clearDrift` or another version drifts.
   */
  signalDrift(input: { environment: string; series: string; modelVersion: string; psi: number | null; now: Date }): Promise<boolean>;
  /** Forgets the series' drift (its inputs are back in range, or a signal could not be handled). */
  clearDrift(environment: string, series: string): Promise<void>;
}

/** First key of the advisory lock that serialises claims on one series. */
const CLAIM_LOCK = 0x616e6f6d;

/** The anomaly monitor's repository. */
export function createAnomalyMonitorRepo(db: Database): AnomalyMonitorRepo {
  return {
    claimEvent: (e) =>
      db.withTransaction(async (client) => {
        // Two replicas may see the same run with different starts (their windows differ): the lock
        // makes the overlap check and the insert one step.
        await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [CLAIM_LOCK, `${e.environment}/${e.series}`]);
        const known = await client.query<{ started_at: Date; reported_by: string }>(
          `UPDATE anomaly_events SET ended_at = GREATEST(ended_at, $3), peak_score = GREATEST(peak_score, $4)
           WHERE (environment, series, started_at) = (
             SELECT environment, series, started_at FROM anomaly_events
             WHERE environment = $1 AND series = $2 AND started_at <= $6 AND ended_at >= $5 ORDER BY started_at LIMIT 1)
           RETURNING started_at, reported_by`,
          [e.environment, e.series, e.end, e.peakScore, new Date(e.start.getTime() - e.gapMs), new Date(e.end.getTime() + e.gapMs)],
        );
        const row = known.rows[0];
        if (row) return { status: "known", startedAt: new Date(row.started_at), reportedBy: row.reported_by };
        await client.query(
          `INSERT INTO anomaly_events (environment, series, started_at, ended_at, peak_score, model_version, reported_by, reported_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [e.environment, e.series, e.start, e.end, e.peakScore, e.modelVersion, e.by, e.now],
        );
        return { status: "new" };
      }),
    async signalDrift({ environment, series, modelVersion, psi, now }) {
      // The upsert takes the row lock: of two replicas signalling together, one gets the row back.
      const r = await db.query(
        `INSERT INTO anomaly_drift (environment, series, model_version, psi, signalled_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (environment, series) DO UPDATE SET model_version = EXCLUDED.model_version, psi = EXCLUDED.psi, signalled_at = EXCLUDED.signalled_at
         WHERE anomaly_drift.model_version <> EXCLUDED.model_version
         RETURNING series`,
        [environment, series, modelVersion, psi, now],
      );
      return (r.rowCount ?? 0) > 0;
    },
    async clearDrift(environment, series) {
      await db.query("DELETE FROM anomaly_drift WHERE environment = $1 AND series = $2", [environment, series]);
    },
  };
}
