import { createServer, type Server } from "node:http";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedClock } from "../core/index.js";
import { AlertmanagerClient, MlflowClient, PrometheusClient } from "../tools/index.js";
import { trainAnomalyModel } from "../tools/anomaly/index.js";
import { DETECTOR_ALIAS, detectorModelName, saveDetector } from "../tools/mlflow/index.js";
import { startGrafanaApi } from "../tools/grafana/testing/grafana-api.js";
import { loadScenario } from "../evals/sandbox/index.js";
import { createAnomalyMonitor, type AnomalyMonitorDeps, type DriftEvent, type SeriesReport } from "./anomaly-monitor.js";
import { createAnomalyMonitorRepo, openDatabase, type AuditEntry, type AuditRow, type Database } from "./store/index.js";
import { missingBinaries, startAlertmanager, type MonitoringProcess } from "./testing/monitoring.js";
import { startHarness, type Harness } from "./testing/harness.js";

// The anomaly monitor in a sandbox world where NDCG@10 drops ten minutes in (ndcg-drop), three
// hours later, with a real Alertmanager and a server speaking Grafana's annotation API: each
// anomalous run is audited, raised as MetricAnomaly and drawn on the dashboard once, however many
// passes and replicas see it. The contract's user-satisfaction metric is made unparseable PromQL,
// so that series' query fails at Prometheus while the others are reported.

const missing = missingBinaries("alertmanager");
const title = "the anomaly monitor against the sandbox, a real Alertmanager and Grafana's API";
if (missing) console.warn(`skipped: ${title}: ${missing}`);

const GRAFANA_TOKEN = "glsa_monitorTestToken_0001";
const NDCG = "search:ndcg_drop";

describe.skipIf(missing !== null)(missing ? `${title} (skipped: ${missing})` : title, () => {
  const scenario = loadScenario("ndcg-drop");
  const clock = new SimulatedClock({ start: new Date(scenario.start) });
  const eventAt = Date.parse(scenario.start) + 10 * 60_000;
  const notifications: Array<{ alerts: Array<{ labels: Record<string, string> }> }> = [];
  let sink: Server;
  let alertmanager: MonitoringProcess;
  let grafana: Awaited<ReturnType<typeof startGrafanaApi>>;
  let contractDir: string;
  let h: Harness;
  let replicaDb: Database;

  /** A monitor on the harness' gate and database (or another pool on it: a second replica). */
  const monitor = (over: Partial<AnomalyMonitorDeps> = {}, db: Database = h.db) =>
    createAnomalyMonitor({
      gate: h.ap.gate,
      environment: h.ap.environment,
      audit: { append: (entry) => h.ap.store.audit.append(entry) },
      repo: createAnomalyMonitorRepo(db),
      clock,
      logger: h.ap.logger,
      series: [{ signal: "ndcg_drop", service: "search" }],
      intervalMs: 0,
      windowMinutes: 360,
      alertmanager: true,
      grafana: true,
      ...over,
    });
  const of = (reports: SeriesReport[], series: string): SeriesReport => {
    const r = reports.find((x) => x.series === series);
    if (!r) throw new Error(`no report for ${series}`);
    return r;
  };
  const auditRows = async (kind: string): Promise<AuditRow[]> => (await h.ap.store.audit.list({ limit: 10_000 })).filter((r) => r.kind === kind);

  beforeAll(async () => {
    // Where Alertmanager routes what it receives.
    sink = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        notifications.push(JSON.parse(body));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
    alertmanager = await startAlertmanager({ webhookUrl: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook` });
    grafana = await startGrafanaApi({ token: GRAFANA_TOKEN });
    contractDir = await mkdtemp(path.join(tmpdir(), "autopilot-monitor-contract-"));
    await writeFile(path.join(contractDir, "contract.yaml"), 'signals:\n  nps:\n    metric: "rate(search:user_satisfaction"\n');
    h = await startHarness({
      scenario,
      clock,
      env: {
        ALERTMANAGER_URL: alertmanager.url,
        GRAFANA_URL: grafana.url,
        GRAFANA_TOKEN,
        TRIGGER_CONTRACT_FILE: path.join(contractDir, "contract.yaml"),
        ANOMALY_SERIES: "search:ndcg_drop,search:nps",
        ANOMALY_GRAFANA_DASHBOARDS: "search=search-overview,search:ndcg_drop=search-overview/2",
      },
    });
    replicaDb = await openDatabase({ databaseUrl: h.db.connectionString, schema: h.db.schema, poolMax: 2 });
    clock.advance(3 * 3600_000);
  }, 120_000);

  afterAll(async () => {
    await replicaDb?.close();
    await h?.close();
    await grafana?.close();
    await alertmanager?.stop();
    await new Promise<void>((resolve) => (sink ? sink.close(() => resolve()) : resolve()));
    if (contractDir) await rm(contractDir, { recursive: true, force: true });
  });

  it("reports the drop once across two racing replicas: audit row, MetricAnomaly routed by Alertmanager, region on the dashboard", async () => {
    const replica = monitor({ series: [{ signal: "ndcg_drop", service: "search", dashboardUid: "search-overview", panelId: 2 }] }, replicaDb);
    const [first, second] = await Promise.all([h.ap.monitor.tick(), replica.tick()]);
    const mine = of(first, NDCG);
    const theirs = of(second, NDCG);
    // The drop's runs of flagged points are one anomaly, within a quarter of an hour of it; one replica reports it.
    expect(mine).toMatchObject({ status: "success", found: 1 });
    expect(theirs).toMatchObject({ status: "success", found: 1 });
    const reported = [...mine.reported, ...theirs.reported];
    expect(reported).toHaveLength(1);
    const drop = reported[0]!;
    expect(Date.parse(drop.start) - eventAt).toBeGreaterThanOrEqual(0);
    expect(Date.parse(drop.start) - eventAt).toBeLessThan(15 * 60_000);
    expect(drop.points).toBeGreaterThan(1);
    expect([...mine.posted, ...theirs.posted]).toEqual([drop.start]);
    expect([...mine.annotated, ...theirs.annotated]).toEqual([drop.start]);
    expect([...mine.denied, ...mine.errors, ...theirs.denied, ...theirs.errors]).toEqual([]);
    // The series whose query Prometheus refuses is an error of its own.
    expect(of(first, "search:nps")).toMatchObject({ status: "error", found: 0, reported: [] });
    expect(of(first, "search:nps").errors).toEqual([{ tool: "prometheus_detect_anomalies", event: null, message: expect.stringMatching(/answered 400: bad_data: .*parse error/) }]);
    // The ad-hoc detector's drift is no detector version to retrain.
    expect(mine.drift).toMatchObject({ drifted: true, model: null, signalled: false });

    // Audited once, with the model and scores.
    const audited = (await auditRows("anomaly_detected")).map((r) => r.data);
    expect(audited).toEqual([expect.objectContaining({ series: NDCG, event: drop, model: { name: null, version: null, source: "ad_hoc" }, environment: "production" })]);

    // Grafana has it once, as a region on the series' panel, written with the token.
    expect(grafana.annotations).toHaveLength(1);
    const region = grafana.annotations[0]!;
    expect(region).toMatchObject({ dashboardUID: "search-overview", panelId: 2, time: Date.parse(drop.start), timeEnd: Date.parse(drop.end) });
    expect(region.tags.sort()).toEqual(["anomaly", "mlops-autopilot", "ndcg_drop", "search"]);

    // Alertmanager holds it and routes it to its receiver like any other alert.
    const held = await new AlertmanagerClient({ baseUrl: alertmanager.url, timeoutMs: 5_000 }).listAlerts({ filter: ['alertname="MetricAnomaly"'] });
    expect(held).toHaveLength(1);
    expect(held[0]!.labels).toEqual({ alertname: "MetricAnomaly", service: "search", signal: "ndcg_drop", series: NDCG, severity: "warning", source: "mlops-autopilot" });
    expect(held[0]!.annotations.summary).toMatch(/^Anomaly in ndcg_drop of search: \d+ flagged point\(s\)/);
    expect(new Date(held[0]!.startsAt).toISOString()).toBe(drop.start);
    const routed = await until(() => notifications.find((n) => n.alerts.some((a) => a.labels.alertname === "MetricAnomaly")));
    expect(routed.alerts[0]!.labels).toMatchObject({ series: NDCG });
  });

  it("reports nothing again on the next passes of either replica, while the drop is still seen", async () => {
    const annotations = grafana.annotations.length;
    clock.advance(60_000);
    const replica = monitor({}, replicaDb);
    const [mine, theirs] = (await Promise.all([h.ap.monitor.tick(), replica.tick()])).map((reports) => of(reports, NDCG));
    expect(mine!.found).toBe(1);
    for (const r of [mine!, theirs!]) expect(r).toMatchObject({ status: "success", reported: [], posted: [], annotated: [], denied: [], errors: [] });
    expect(grafana.annotations).toHaveLength(annotations);
    expect(await auditRows("anomaly_detected")).toHaveLength(1);
  });

  it("signals a registered detector's drift once per version, and again after it cleared", async () => {
    const urls = h.ap.platform.sandbox!.urls(h.ap.platform.sandboxUrl!);
    const mlflow = new MlflowClient({ baseUrl: urls.mlflow, timeoutMs: 5_000, clock, pollIntervalMs: 10 });
    const prometheus = new PrometheusClient({ baseUrl: urls.prometheus, timeoutMs: 5_000 });
    const values = async (from: number, to: number) => {
      const [series] = await prometheus.queryRange('search:ndcg_at_10{service="search",variant=~"all|"}', { start: new Date(from), end: new Date(to), stepSeconds: 60 });
      return series!.values.map((v) => v.value);
    };
    const register = async (training: number[]) => {
      const saved = await saveDetector(mlflow, { series: NDCG, model: trainAnomalyModel(training, { seed: 1, contamination: 0.01 }), metrics: { precision: 1, recall: 1 }, cycleId: null });
      await mlflow.setAlias(detectorModelName(NDCG), DETECTOR_ALIAS, saved.version);
      return saved.version;
    };
    const drifts: DriftEvent[] = [];
    const watching = monitor({ alertmanager: false, grafana: false, onDrift: (e) => void drifts.push(e) });
    const now = clock.now().getTime();

    // Trained on the hours before the drop: the window's inputs have drifted from it.
    const before = await register(await values(now - 6 * 3600_000, eventAt - 60_000));
    expect(of(await watching.tick(), NDCG).drift).toMatchObject({ drifted: true, model: { name: "anomaly-search-ndcg_drop", version: before }, signalled: true });
    expect(of(await watching.tick(), NDCG).drift).toMatchObject({ drifted: true, signalled: false });
    expect(of(await monitor({ onDrift: (e) => void drifts.push(e) }, replicaDb).tick(), NDCG).drift).toMatchObject({ drifted: true, signalled: false });
    expect(drifts).toEqual([{ environment: "production", series: NDCG, signal: "ndcg_drop", service: "search", model: { name: "anomaly-search-ndcg_drop", version: before }, psi: expect.any(Number), at: clock.now().toISOString() }]);
    expect(drifts[0]!.psi).toBeGreaterThan(0.25);

    // Trained on the window itself: no drift, which clears the signal; the first version drifts again.
    const window = await register(await values(now - 6.5 * 3600_000, now));
    expect(of(await watching.tick(), NDCG).drift).toMatchObject({ drifted: false, model: { version: window }, signalled: false });
    await mlflow.setAlias(detectorModelName(NDCG), DETECTOR_ALIAS, before);
    expect(of(await watching.tick(), NDCG).drift).toMatchObject({ drifted: true, model: { version: before }, signalled: true });
    expect(drifts.map((d) => d.model.version)).toEqual([before, before]);
    expect((await auditRows("detector_drift")).map((r) => (r.data as DriftEvent).model.version)).toEqual([before, before]);
    await mlflow.deleteAlias(detectorModelName(NDCG), DETECTOR_ALIAS);
  });

  it("keeps watching under the kill switch: the anomaly is audited, the alert and annotation are denied", async () => {
    await h.ap.store.flags.set("kill_switch", "production", { enabled: true }, "test", new Date());
    try {
      const r = of(await monitor({ series: [{ signal: "recall_drop", service: "search" }] }).tick(), "search:recall_drop");
      expect(r.status).toBe("success");
      expect(r.reported.length).toBeGreaterThan(0);
      expect(r).toMatchObject({ posted: [], annotated: [], errors: [] });
      expect(r.denied.map((d) => d.tool).sort()).toEqual(Array(r.reported.length).fill(["alertmanager_post_alerts", "grafana_create_annotation"]).flat().sort());
      for (const d of r.denied) expect(d.reasons.join(" ")).toContain("kill switch");
      const audited = (await auditRows("anomaly_detected")).filter((row) => (row.data as { series: string }).series === "search:recall_drop");
      expect(audited).toHaveLength(r.reported.length);
    } finally {
      await h.ap.store.flags.set("kill_switch", "production", { enabled: false }, "test", new Date());
    }
  });

  it("runs on its own timer once started, and stop() waits for the pass under way", async () => {
    const decided = new Promise<void>((resolve) =>
      h.ap.events.on("audit", (e: AuditEntry) => {
        if (e.actor.id === "anomaly-monitor" && e.kind === "policy_decision") resolve();
      }),
    );
    h.ap.monitor.start();
    await decided;
    await h.ap.monitor.stop();
    const mine = (await h.ap.store.audit.list({ limit: 10_000 })).filter((r) => r.actor.id === "anomaly-monitor" && r.tool === "prometheus_detect_anomalies");
    // Every call the pass made has its result on record: nothing was left running.
    expect(mine.filter((r) => r.kind === "tool_result")).toHaveLength(mine.filter((r) => r.kind === "policy_decision").length);
  });
});

/** Polls `probe` until it returns something (Alertmanager notifies after its group_wait). */
async function until<T>(probe: () => T | undefined, attempts = 100): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const found = probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("not seen after 10 s");
}
