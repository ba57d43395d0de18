import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { errorMessage, INTERNAL_SIGNALS, type AnomaliesFinding, type Clock, type Environment, type ServiceCatalog, type Signal, type TriggerContract } from "../core/index.js";
import type { AuditPort, CallScope, PolicyGate, Principal } from "../policies/index.js";
import { DEFAULT_FEATURE_OPTIONS } from "../tools/anomaly/index.js";
import type { AnomalyMonitorConfig } from "./config.js";
import type { Logger } from "./logger.js";
import type { AnomalyMonitorRepo } from "./store/index.js";

/** One series the monitor watches: a contract signal of a service, and where its anomalies are drawn. */
export interface MonitoredSeries {
  signal: Signal;
  service: string;
  /** Grafana dashboard the anomalies are annotated on; without one, an organization annotation found by its tags. */
  dashboardUid?: string;
  /** The panel of that dashboard that shows the series. */
  panelId?: number;
}

/** A registered detector whose inputs drifted, as `onDrift` receives it. */
export interface DriftEvent {
  environment: Environment;
  series: string;
  signal: Signal;
  service: string;
  model: { name: string; version: string };
  psi: number | null;
  /** When the drifted window ended. */
  at: string;
}

/** An anomaly: runs of flagged points no further apart than EVENT_GAP_MINUTES, with their flagged points and peak score. */
export type AnomalyEvent = AnomaliesFinding["events"][number];

/** What one pass did for one series. */
export interface SeriesReport {
  series: string;
  signal: Signal;
  service: string;
  /** What detection answered; `denied` when the policies refused it. */
  status: "success" | "no_data" | "error" | "denied";
  summary: string;
  /** Events that start in the watched window. */
  found: number;
  /** Events this monitor reported first (the others were reported before, by it or by another replica). */
  reported: AnomalyEvent[];
  /** Starts of the reported events posted to Alertmanager. */
  posted: string[];
  /** Starts of the reported events annotated in Grafana. */
  annotated: string[];
  denied: Array<{ tool: string; event: string | null; reasons: string[] }>;
  errors: Array<{ tool: string | null; event: string | null; message: string }>;
  /** The window's input drift against the detector's training data, and whether `onDrift` was called for it. */
  drift: { psi: number | null; drifted: boolean; model: { name: string; version: string } | null; signalled: boolean } | null;
}

/** Everything the monitor needs; it reaches the systems only through the gate. */
export interface AnomalyMonitorDeps {
  gate: Pick<PolicyGate, "execute">;
  environment: Environment;
  audit: AuditPort;
  repo: AnomalyMonitorRepo;
  clock: Clock;
  logger: Pick<Logger, "info" | "warn">;
  series: readonly MonitoredSeries[];
  /** Between two passes, in real time; 0 means `start()` does nothing. */
  intervalMs: number;
  windowMinutes: number;
  /** Whether Alertmanager and Grafana are configured (an unconfigured one is not called). */
  alertmanager: boolean;
  grafana: boolean;
  /** Called once per registered detector version whose inputs drifted, until the drift clears. */
  onDrift?: (event: DriftEvent) => Promise<void> | void;
}

/** The anomaly monitor: scores its series on a timer of its own, independent of the cycle runner. */
export interface AnomalyMonitor {
  /** Starts the timer (a first pass at once); nothing when the interval is 0 or it already runs. */
  start(): void;
  /** Stops the timer and waits for a running pass, whose detection calls are cut short. */
  stop(): Promise<void>;
  /** One pass over every series now (joining the running one, if any); never throws. */
  tick(): Promise<SeriesReport[]>;
}

/**
 * The detector scores a window's first points (a baseline window of them) against the shorter
 * baseline they have, and often flags that leading edge; since each pass's window moves on, such an
 * "anomaly" would be reported every few passes. So events starting there are left out, and that much
 * history (at the usual one-minute step) is fetched before the watched window.
 */
export const WARMUP_POINTS = DEFAULT_FEATURE_OPTIONS.baselineWindow;
const WARMUP_MINUTES = WARMUP_POINTS;

/**
 * Runs of flagged points this close are one anomaly: a level shift is flagged in bursts a few
 * minutes apart, and the next window's detector flags other points of it. One drop is one alert
 * and one region, extended in the store while it lasts.
 */
export const EVENT_GAP_MINUTES = 10;

/** Joins runs no more than `gapMs` apart into one event (flagged points added, peak score kept). */
export function joinRuns(runs: readonly AnomalyEvent[], gapMs: number): AnomalyEvent[] {
  const joined: AnomalyEvent[] = [];
  for (const run of [...runs].sort((a, b) => Date.parse(a.start) - Date.parse(b.start))) {
    const last = joined.at(-1);
    if (last && Date.parse(run.start) - Date.parse(last.end) <= gapMs) {
      if (Date.parse(run.end) > Date.parse(last.end)) last.end = run.end;
      last.points += run.points;
      last.peak_score = Math.max(last.peak_score, run.peak_score);
    } else {
      joined.push({ ...run });
    }
  }
  return joined;
}

/** Who the monitor is to the policies. */
export const MONITOR_PRINCIPAL: Principal = { type: "Agent", id: "anomaly-monitor" };

/** The facts of every call the monitor makes: no cycle, phase "monitor", nothing spent. */
export function monitorScope(environment: Environment): CallScope {
  return { cycleId: null, environment, phase: "monitor", gatePassed: false, gateNeedsApproval: false, spentUsd: 0 };
}

/** Every contract signal of every catalogued service (or the configured series), with its dashboard. */
export function monitoredSeries(config: AnomalyMonitorConfig, catalog: ServiceCatalog, contract: TriggerContract): MonitoredSeries[] {
  // Internal signals (detector drift) are raised by the autopilot itself and are no Prometheus series.
  const signals = (Object.keys(contract.signals) as Signal[]).filter((signal) => !INTERNAL_SIGNALS.includes(signal));
  const all = config.series ?? Object.keys(catalog).flatMap((service) => signals.map((signal) => ({ service, signal })));
  const unique = new Map(all.map((s) => [`${s.service}:${s.signal}`, s]));
  return [...unique].map(([name, s]) => {
    const dashboard = config.dashboards[name] ?? config.dashboards[s.service];
    return { ...s, ...(dashboard && { dashboardUid: dashboard.uid, ...(dashboard.panelId !== undefined && { panelId: dashboard.panelId }) }) };
  });
}

/** What a call through the gate came to. */
type CallResult<T> = { status: "success"; summary: string; data: T } | { status: "no_data" | "error" | "denied"; summary: string };

/** Creates the anomaly monitor. */
export function createAnomalyMonitor(deps: AnomalyMonitorDeps): AnomalyMonitor {
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const scope = monitorScope(deps.environment);
  const log = deps.logger;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<SeriesReport[]> | undefined;
  let current: AbortController | undefined;
  let started = false;

  /** Runs a tool through the gate; a denial or an error is written into the report, never thrown. */
  async function call<T>(report: SeriesReport, tool: string, input: unknown, event: string | null, signal?: AbortSignal): Promise<CallResult<T>> {
    const result = await deps.gate.execute({ principal: MONITOR_PRINCIPAL, tool, input, scope, signal });
    if (result.status === "executed") {
      const { outcome } = result;
      if (outcome.status === "error") report.errors.push({ tool, event, message: outcome.summary });
      return outcome.status === "success" ? { status: "success", summary: outcome.summary, data: outcome.data as T } : { status: outcome.status, summary: outcome.summary };
    }
    if (result.status === "invalid") {
      report.errors.push({ tool, event, message: result.message });
      return { status: "error", summary: result.message };
    }
    // The monitor cannot wait for a human: a call that needs an approval is skipped like a denied one.
    const reasons = [...(result.status === "approval_required" ? ["it needs an approval, which the monitor does not ask for"] : []), ...result.decision.reasons];
    report.denied.push({ tool, event, reasons });
    log.warn({ series: report.series, tool, event, reasons }, "anomaly monitor: call denied");
    return { status: "denied", summary: `${tool} denied: ${reasons.join("; ")}` };
  }

  /** Reports one event this monitor claimed: the audit row, the alert, the annotation. */
  async function report(s: MonitoredSeries, r: SeriesReport, finding: AnomaliesFinding, event: AnomalyEvent): Promise<void> {
    const model = finding.model.source === "registered" ? `detector ${finding.model.name} v${finding.model.version}` : "an ad-hoc detector trained on the window's first half";
    const span = event.start === event.end ? `at ${event.start}` : `from ${event.start} to ${event.end}`;
    const summary = `Anomaly in ${s.signal} of ${s.service}: ${event.points} flagged point(s) ${span}`;
    const description =
      `${model} flagged ${event.points} point(s) of ${finding.query} ${span}, peak score ${event.peak_score.toFixed(3)} ` +
      `(threshold ${finding.threshold.toFixed(3)})${finding.psi === null ? "" : `; input drift PSI ${finding.psi.toFixed(3)}`}.`;
    await deps.audit.append({
      at: deps.clock.now(),
      cycleId: null,
      kind: "anomaly_detected",
      actor: { type: MONITOR_PRINCIPAL.type, id: MONITOR_PRINCIPAL.id },
      tool: "prometheus_detect_anomalies",
      data: {
        environment: deps.environment,
        series: r.series,
        signal: s.signal,
        service: s.service,
        query: finding.query,
        event,
        model: finding.model,
        threshold: finding.threshold,
        max_score: finding.max_score,
        psi: finding.psi,
        drift: finding.drift,
        window: finding.window,
        reported_by: owner,
      },
    });
    r.reported.push(event);
    if (deps.alertmanager) {
      const labels = { alertname: "MetricAnomaly", service: s.service, signal: s.signal, series: r.series, severity: "warning" };
      const posted = await call(r, "alertmanager_post_alerts", { alerts: [{ labels, annotations: { summary, description }, starts_at: event.start }] }, event.start);
      if (posted.status === "success") r.posted.push(event.start);
    }
    if (deps.grafana) {
      const where = s.dashboardUid === undefined ? {} : { dashboard_uid: s.dashboardUid, ...(s.panelId !== undefined && { panel_id: s.panelId }) };
      const input = { ...where, time: event.start, time_end: event.end, tags: ["anomaly", s.service, s.signal], text: `${summary}. ${description}` };
      const annotated = await call(r, "grafana_create_annotation", input, event.start);
      if (annotated.status === "success") r.annotated.push(event.start);
    }
  }

  /** Signals a registered detector's drift once per version; forgets it when the window is back in range. */
  async function checkDrift(s: MonitoredSeries, r: SeriesReport, finding: AnomaliesFinding): Promise<void> {
    const { name, version, source } = finding.model;
    const model = source === "registered" && name !== null && version !== null ? { name, version } : null;
    r.drift = { psi: finding.psi, drifted: finding.drift, model, signalled: false };
    if (!model || !finding.drift) {
      await deps.repo.clearDrift(deps.environment, r.series);
      return;
    }
    if (!(await deps.repo.signalDrift({ environment: deps.environment, series: r.series, modelVersion: model.version, psi: finding.psi, now: deps.clock.now() }))) return;
    const event: DriftEvent = { environment: deps.environment, series: r.series, signal: s.signal, service: s.service, model, psi: finding.psi, at: finding.at };
    await deps.audit.append({ at: deps.clock.now(), cycleId: null, kind: "detector_drift", actor: { type: MONITOR_PRINCIPAL.type, id: MONITOR_PRINCIPAL.id }, data: event });
    try {
      await deps.onDrift?.(event);
      r.drift.signalled = true;
    } catch (error) {
      // Not handled: the next pass signals it again.
      await deps.repo.clearDrift(deps.environment, r.series);
      r.errors.push({ tool: null, event: null, message: `onDrift failed: ${errorMessage(error)}` });
    }
  }

  async function watch(s: MonitoredSeries, signal: AbortSignal): Promise<SeriesReport> {
    const r: SeriesReport = { series: `${s.service}:${s.signal}`, signal: s.signal, service: s.service, status: "error", summary: "", found: 0, reported: [], posted: [], annotated: [], denied: [], errors: [], drift: null };
    try {
      const input = { signal: s.signal, service: s.service, minutes: deps.windowMinutes + WARMUP_MINUTES };
      const detected = await call<AnomaliesFinding>(r, "prometheus_detect_anomalies", input, null, signal);
      r.status = detected.status;
      r.summary = detected.summary;
      if (detected.status !== "success") return r;
      const finding = detected.data;
      // A registered detector reads the series at its own step, so its warm-up can reach further in.
      const warmupEnd = Date.parse(finding.window.start) + WARMUP_POINTS * finding.window.step_seconds * 1000;
      const watchedFrom = Math.max(Date.parse(finding.window.end) - deps.windowMinutes * 60_000, warmupEnd);
      const gapMs = EVENT_GAP_MINUTES * 60_000;
      const events = joinRuns(finding.events.filter((e) => Date.parse(e.start) >= watchedFrom), gapMs);
      r.found = events.length;
      for (const event of events) {
        if (signal.aborted) break;
        try {
          const claim = await deps.repo.claimEvent({
            environment: deps.environment,
            series: r.series,
            start: new Date(event.start),
            end: new Date(event.end),
            peakScore: event.peak_score,
            modelVersion: finding.model.version,
            gapMs,
            by: owner,
            now: deps.clock.now(),
          });
          if (claim.status === "new") await report(s, r, finding, event);
        } catch (error) {
          r.errors.push({ tool: null, event: event.start, message: errorMessage(error) });
        }
      }
      await checkDrift(s, r, finding);
    } catch (error) {
      r.errors.push({ tool: null, event: null, message: errorMessage(error) });
    }
    return r;
  }

  async function pass(): Promise<SeriesReport[]> {
    const controller = new AbortController();
    current = controller;
    try {
      // Series side by side: a slow or failing one does not hold the others up.
      const reports = await Promise.all(deps.series.map((s) => watch(s, controller.signal)));
      for (const r of reports) {
        if (r.reported.length > 0 || r.errors.length > 0 || r.denied.length > 0) {
          log.info({ series: r.series, status: r.status, found: r.found, reported: r.reported.length, posted: r.posted.length, annotated: r.annotated.length, denied: r.denied.length, errors: r.errors }, "anomaly monitor pass");
        }
      }
      return reports;
    } finally {
      current = undefined;
    }
  }

  function tick(): Promise<SeriesReport[]> {
    running ??= pass().finally(() => (running = undefined));
    return running;
  }

  function schedule(delayMs: number): void {
    clearTimeout(timer);
    timer = setTimeout(() => {
      void tick().then(() => {
        if (started) schedule(deps.intervalMs);
      });
    }, delayMs);
    // The server's sockets keep the process alive; the monitor alone must not.
    timer.unref();
  }

  return {
    tick,
    start() {
      if (started || deps.intervalMs <= 0 || deps.series.length === 0) return;
      started = true;
      schedule(0);
    },
    async stop() {
      started = false;
      clearTimeout(timer);
      // Detection is cut short; an alert or annotation under way is let finish (within its tool's timeout).
      current?.abort(new Error("the anomaly monitor is stopping"));
      await running;
    },
  };
}
