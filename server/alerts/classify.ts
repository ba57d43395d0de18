import { isSignal, type Environment, type Signal } from "../../core/index.js";
import type { WebhookAlert } from "./webhook-schema.js";

/** Alert names of deploy/prometheus mapped to signals, for alerts that carry no `signal` label. */
export const DEFAULT_ALERT_SIGNALS: Record<string, Signal> = {
  SearchNdcgDrop: "ndcg_drop",
  SearchRelevanceDegraded: "ndcg_drop",
  SearchRecallDrop: "recall_drop",
  SearchLatencyP95High: "latency_p95",
  EtlBacklogHigh: "etl_backlog",
  SearchCostOverBudget: "cost",
  SearchSatisfactionLow: "nps",
  // Raised by the autopilot's own anomaly monitor (server/anomaly-monitor.ts), not by a Prometheus rule.
  AnomalyDetectorDrift: "detector_drift",
};

/** What an alert is about: its signal, service and environment. */
export interface AlertClass {
  signal: Signal | null;
  service: string | null;
  environment: Environment;
}

/**
 * Classifies an alert by its `signal` (or alert name) and `service` labels. One autopilot manages
 * one environment: an alert label can never choose the environment (and with it the policies), so
 * an alert labelled for another environment maps to no service and its cycle escalates.
 */
export function classifyAlert(alert: WebhookAlert, environment: Environment, names: Record<string, Signal> = DEFAULT_ALERT_SIGNALS): AlertClass {
  const labels = alert.labels;
  const fromLabel = labels.signal;
  const signal = isSignal(fromLabel) ? fromLabel : (names[labels.alertname ?? ""] ?? null);
  const labelled = labels.environment ?? labels.env;
  const foreign = labelled !== undefined && labelled !== environment;
  return { signal, service: foreign ? null : (labels.service ?? null), environment };
}
