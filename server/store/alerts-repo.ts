import type pg from "pg";
import type { Database } from "./db.js";
import { insertCycle, type AlertTrigger } from "./cycle-rows.js";
import { ACTIVE_STATUS_SQL, jsonValue, toNumber } from "./rows.js";

/** One alert of an Alertmanager webhook (validated upstream). */
export interface AlertmanagerAlert {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** An Alertmanager webhook body (validated upstream). */
export interface AlertmanagerPayload {
  groupKey: string;
  receiver: string;
  status: string;
  alerts: AlertmanagerAlert[];
}

/** What an alert is about, as the server's trigger contract reads it. */
export interface AlertClassification {
  signal: string | null;
  service: string | null;
  environment: string;
}

/** How to ingest a webhook. */
export interface IngestOptions {
  now: Date;
  /** A firing alert joins an active cycle of its service created at most this long ago. */
  groupWindowMs: number;
  /** Used when `classify` returns an empty environment. */
  defaultEnvironment: string;
  classify(alert: AlertmanagerAlert): AlertClassification;
}

/** What happened to one alert. */
export type AlertDisposition = "started" | "joined" | "duplicate" | "resolved";

/** One stored alert and the cycle it belongs to. */
export interface IngestedAlert {
  id: number;
  fingerprint: string;
  status: "firing" | "resolved";
  disposition: AlertDisposition;
  cycleId: string | null;
}

/** The outcome of a webhook. */
export interface IngestResult {
  alerts: IngestedAlert[];
  cyclesStarted: string[];
}

/** Stores Alertmanager webhooks and turns firing alerts into cycles. */
export interface AlertsRepo {
  /** Stores every alert and starts, joins or deduplicates cycles, in one transaction. */
  ingest(payload: AlertmanagerPayload, options: IngestOptions): Promise<IngestResult>;
}

/** First key of the advisory lock that serialises ingests of one service and environment. */
const INGEST_LOCK = 0x616c7274;

function finiteOrNull(text: string | undefined): number | null {
  if (text === undefined || text.trim() === "") return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** The cycle id of the active cycle that already holds an alert with this fingerprint. */
async function holderOf(client: pg.PoolClient, fingerprint: string): Promise<string | null> {
  const r = await client.query<{ cycle_id: string }>(
    `SELECT a.cycle_id FROM alerts a JOIN cycles c ON c.id = a.cycle_id
     WHERE a.fingerprint = $1 AND c.status IN ${ACTIVE_STATUS_SQL} ORDER BY a.id DESC LIMIT 1`,
    [fingerprint],
  );
  return r.rows[0]?.cycle_id ?? null;
}

/** Joins the newest active cycle of the service created within the window; null when none. */
async function join(client: pg.PoolClient, c: AlertClassification, since: Date, now: Date): Promise<string | null> {
  const r = await client.query<{ id: string }>(
    `UPDATE cycles SET alert_count = alert_count + 1, updated_at = $4
     WHERE id = (SELECT id FROM cycles WHERE service IS NOT DISTINCT FROM $1 AND environment = $2
                 AND status IN ${ACTIVE_STATUS_SQL} AND created_at >= $3 ORDER BY created_at DESC, id DESC LIMIT 1)
     RETURNING id`,
    [c.service, c.environment, since, now],
  );
  return r.rows[0]?.id ?? null;
}

/** The alerts repository. */
export function createAlertsRepo(db: Database): AlertsRepo {
  return {
    ingest: (payload, options) =>
      db.withTransaction(async (client) => {
        const { now } = options;
        const classified = payload.alerts.map((alert) => {
          const c = options.classify(alert);
          return { alert, c: { ...c, environment: c.environment || options.defaultEnvironment } };
        });
        // Lock every service+environment of the webhook, in a fixed order so two webhooks with
        // overlapping services cannot deadlock: a concurrent ingest then sees our new cycle.
        const keys = [...new Set(classified.map(({ c }) => JSON.stringify([c.service, c.environment])))].sort();
        for (const key of keys) await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [INGEST_LOCK, key]);

        const since = new Date(now.getTime() - options.groupWindowMs);
        const result: IngestResult = { alerts: [], cyclesStarted: [] };
        for (const { alert, c } of classified) {
          let disposition: AlertDisposition;
          let cycleId = await holderOf(client, alert.fingerprint);
          if (alert.status === "resolved") disposition = "resolved";
          else if (cycleId) disposition = "duplicate";
          else if ((cycleId = await join(client, c, since, now))) disposition = "joined";
          else {
            const trigger: AlertTrigger = {
              signal: c.signal,
              service: c.service,
              environment: c.environment,
              alertname: alert.labels.alertname ?? null,
              fingerprint: alert.fingerprint,
              labels: alert.labels,
              annotations: alert.annotations,
              value: finiteOrNull(alert.annotations.value),
              baseline: finiteOrNull(alert.annotations.baseline),
              starts_at: alert.startsAt,
            };
            const cycle = await insertCycle(client, { ...c, trigger: { ...trigger }, alertCount: 1, now });
            cycleId = cycle.id;
            disposition = "started";
            result.cyclesStarted.push(cycle.id);
          }
          const r = await client.query<{ id: string }>(
            `INSERT INTO alerts (fingerprint, status, alertname, service, environment, signal, labels, annotations,
               starts_at, ends_at, generator_url, group_key, receiver, received_at, cycle_id, disposition)
             VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
            [
              alert.fingerprint,
              alert.status,
              alert.labels.alertname ?? null,
              c.service,
              c.environment,
              c.signal,
              jsonValue(alert.labels),
              jsonValue(alert.annotations),
              alert.startsAt || null,
              alert.endsAt || null,
              alert.generatorURL || null,
              payload.groupKey,
              payload.receiver,
              now,
              cycleId,
              disposition,
            ],
          );
          const id = toNumber(r.rows[0]?.id);
          result.alerts.push({ id, fingerprint: alert.fingerprint, status: alert.status, disposition, cycleId });
        }
        return result;
      }),
  };
}
