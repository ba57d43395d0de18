import { DEFAULT_TRIGGER_CONTRACT, isSignal } from "../../core/index.js";
import type { Scenario, ScenarioAlert } from "./scenario.js";
import type { SeriesSource } from "./world/series.js";

/** An Alertmanager webhook payload (version 4). */
export interface AlertmanagerWebhook {
  version: "4";
  groupKey: string;
  truncatedAlerts: number;
  status: "firing" | "resolved";
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: {
    status: "firing" | "resolved";
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
    endsAt: string;
    generatorURL: string;
    fingerprint: string;
  }[];
}

const BASELINE_OF: Record<string, keyof Scenario["baseline"]> = {
  "search:ndcg_at_10": "ndcg_at_10",
  "search:recall_at_20": "recall_at_20",
  "search:latency_p95_seconds": "latency_p95_seconds",
  "etl:backlog_seconds": "etl_backlog_seconds",
  "search:cost_budget_ratio": "cost_budget_ratio",
  "search:user_satisfaction": "user_satisfaction",
};

/**
 * The webhook Alertmanager would send for one scenario alert at `now`. When the alert names a
 * trigger-contract signal, missing `value` and `baseline` annotations are read from the world.
 */
export function buildAlertPayload(scenario: Scenario, source: SeriesSource, alert: ScenarioAlert, now: number): AlertmanagerWebhook {
  const labels = { ...alert.labels };
  const annotations = { ...alert.annotations };
  const signal = labels.signal;
  let expr = labels.alertname ?? "";
  if (isSignal(signal)) {
    const contract = DEFAULT_TRIGGER_CONTRACT.signals[signal];
    const service = labels.service ?? scenario.service;
    expr = `${contract.metric}{service="${service}"}`;
    const value = currentValue(source, contract.metric, service, now);
    const baselineKey = BASELINE_OF[contract.metric];
    const baseline = contract.baselineMetric ? currentValue(source, contract.baselineMetric, service, now) : baselineKey ? scenario.baseline[baselineKey] : undefined;
    if (annotations.value === undefined && value !== undefined) annotations.value = formatNumber(value);
    if (annotations.baseline === undefined && baseline !== undefined) annotations.baseline = formatNumber(baseline);
  }
  const alertname = labels.alertname ?? "";
  return {
    version: "4",
    groupKey: `{}:{alertname="${alertname}"}`,
    truncatedAlerts: 0,
    status: "firing",
    receiver: "autopilot",
    groupLabels: { alertname },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: "http://alertmanager.sandbox.local:9093",
    alerts: [
      {
        status: "firing",
        labels,
        annotations,
        startsAt: new Date(now).toISOString().replace(".000Z", "Z"),
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: `http://prometheus.sandbox.local:9090/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=1`,
        fingerprint: fingerprint(labels),
      },
    ],
  };
}

/** Alertmanager's fingerprint of a label set: FNV-1a 64 over sorted names and values, 16 hex digits. */
export function fingerprint(labels: Record<string, string>): string {
  let hash = 0xcbf29ce484222325n;
  const add = (bytes: Uint8Array) => {
    for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  };
  const encoder = new TextEncoder();
  for (const name of Object.keys(labels).sort()) {
    add(encoder.encode(name));
    add(Uint8Array.of(0xff));
    add(encoder.encode(labels[name]!));
    add(Uint8Array.of(0xff));
  }
  return hash.toString(16).padStart(16, "0");
}

function currentValue(source: SeriesSource, metric: string, service: string, now: number): number | undefined {
  const samples = source.series(metric, now).filter((s) => s.labels.service === service);
  return (samples.find((s) => s.labels.variant === "all") ?? samples.find((s) => s.labels.variant === undefined))?.value;
}

function formatNumber(value: number): string {
  return String(Math.round(value * 10_000) / 10_000);
}
