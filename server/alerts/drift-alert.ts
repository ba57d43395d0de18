import { canonicalJson, sha256Hex, type Environment } from "../../core/index.js";
import type { DriftEvent } from "../anomaly-monitor.js";
import type { AlertsRepo } from "../store/index.js";
import { classifyAlert } from "./classify.js";

/** The alert name a drifted detector raises; classify.ts maps it to the detector_drift signal. */
export const DRIFT_ALERTNAME = "AnomalyDetectorDrift";

/**
 * The alert the anomaly monitor raises for a drifted detector, shaped as Alertmanager's webhook
 * would deliver it, so the drift starts a cycle through the same intake as every other alert (dedup,
 * grouping, the cycle limit). One fingerprint per detector version: a version that drifts again
 * after a retrain is a new alert.
 */
export function driftAlertPayload(event: DriftEvent) {
  const labels = { alertname: DRIFT_ALERTNAME, signal: "detector_drift", service: event.service, series_signal: event.signal, severity: "warning" };
  const annotations = {
    summary: `Inputs of the ${event.series} anomaly detector drifted from its training data`,
    value: event.psi === null ? "" : event.psi.toFixed(4),
    detector: /^\d+$/.test(event.model.version) ? `${event.model.name} v${event.model.version}` : `${event.model.name} (${event.model.version})`,
  };
  return {
    groupKey: `{}:{alertname="${DRIFT_ALERTNAME}"}`,
    receiver: "autopilot",
    status: "firing",
    alerts: [
      {
        status: "firing" as const,
        labels,
        annotations,
        startsAt: event.at,
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: "",
        fingerprint: sha256Hex(canonicalJson({ labels, version: event.model.version })).slice(0, 16),
      },
    ],
  };
}

/** What starting a drift cycle needs. */
export interface DriftCycleDeps {
  alerts: AlertsRepo;
  environment: Environment;
  now: () => Date;
  groupWindowMs: number;
  /** Tells the runner there is work. */
  wake: () => void;
}

/** Turns a drift event into a queued detector_drift cycle (or joins the service's running one); returns the cycles started. */
export async function startDriftCycle(deps: DriftCycleDeps, event: DriftEvent): Promise<string[]> {
  const result = await deps.alerts.ingest(driftAlertPayload(event), {
    now: deps.now(),
    groupWindowMs: deps.groupWindowMs,
    defaultEnvironment: deps.environment,
    classify: (alert) => classifyAlert(alert as never, deps.environment),
  });
  if (result.cyclesStarted.length > 0) deps.wake();
  return result.cyclesStarted;
}
