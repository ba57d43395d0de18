import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnomaliesFinding } from "../../core/index.js";
import { startSandbox, type RunningSandbox } from "../../evals/sandbox/test-support.js";
import { trainAnomalyModel } from "../anomaly/index.js";
import { MlflowClient } from "../mlflow/client.js";
import { DETECTOR_ALIAS, detectorModelName, saveDetector } from "../mlflow/detector-store.js";
import { ServedDetectors } from "../mlflow/served-detectors.js";
import type { ToolOutcome } from "../tool.js";
import { PrometheusClient } from "./client.js";
import { detectAnomaliesTool } from "./detect-anomalies.js";
import { testToolContext } from "./testing/tool-context.js";

// prometheus_detect_anomalies against the sandbox's Prometheus and MLflow APIs over HTTP: the
// ndcg-drop world loses 6 % of NDCG@10 ten minutes after its start; three hours later, a six-hour
// window holds three healthy hours, then the drop.
const SERIES = "search:ndcg_drop";
const QUERY = 'search:ndcg_at_10{service="search",variant=~"all|"}';

describe("prometheus_detect_anomalies over the sandbox", () => {
  let sb: RunningSandbox;
  let prometheus: PrometheusClient;
  let mlflow: MlflowClient;
  let detectors: ServedDetectors;
  let eventAt: number;

  const run = async (input: Record<string, unknown>) => {
    const ctx = testToolContext({ clock: sb.clock, clients: { prometheus, mlflow, detectors } });
    return (await detectAnomaliesTool.run(detectAnomaliesTool.input.parse(input), ctx)) as ToolOutcome<AnomaliesFinding>;
  };
  const success = (o: ToolOutcome<AnomaliesFinding>): AnomaliesFinding => {
    if (o.status !== "success") throw new Error(`expected success, got ${o.status}: ${o.summary}`);
    return o.data;
  };
  /** The healthy hours before the drop, as the detector's training data. */
  const healthy = async () => {
    const [series] = await prometheus.queryRange(QUERY, { start: new Date(eventAt - 6 * 3600_000), end: new Date(eventAt - 60_000), stepSeconds: 60 });
    return series!.values.map((v) => v.value);
  };
  const register = async (seed: number) => {
    const model = trainAnomalyModel(await healthy(), { seed, contamination: 0.01 });
    return saveDetector(mlflow, { series: SERIES, model, metrics: { precision: 1, recall: 1 }, cycleId: null });
  };

  beforeAll(async () => {
    sb = await startSandbox("ndcg-drop");
    eventAt = sb.clock.now().getTime() + 10 * 60_000;
    sb.clock.advance(3 * 3600_000);
    prometheus = new PrometheusClient({ baseUrl: sb.urls.prometheus, timeoutMs: 5_000 });
    mlflow = new MlflowClient({ baseUrl: sb.urls.mlflow, timeoutMs: 5_000, clock: sb.clock, pollIntervalMs: 10 });
    detectors = new ServedDetectors(mlflow);
  });
  afterAll(async () => {
    await detectors?.close();
    await sb?.close();
  });

  it("without a registered detector, trains one on the window's first half and flags the drop, reporting the drift", async () => {
    const f = success(await run({ signal: "ndcg_drop", service: "search" }));
    expect(f.model).toEqual({ name: null, version: null, source: "ad_hoc" });
    expect(f.points).toBe(361);
    // The threshold lets about 1 % of the training half score above it; the drop is what stands out.
    const before = f.flagged.filter((p) => Date.parse(p.at) < eventAt);
    expect(before.length).toBeLessThanOrEqual(3);
    const firstAfter = f.events.map((e) => Date.parse(e.start)).find((t) => t >= eventAt);
    expect(firstAfter).toBeLessThan(eventAt + 15 * 60_000);
    expect(f.flagged.length - before.length).toBeGreaterThan(10);
    expect(f.drift).toBe(true);
    expect(f.psi).toBeGreaterThan(0.25);
  });

  it("scores with the series' champion from the registry, and swaps in a new version when the alias moves", async () => {
    const v1 = await register(1);
    await mlflow.setAlias(detectorModelName(SERIES), DETECTOR_ALIAS, v1.version);
    const first = success(await run({ signal: "ndcg_drop", service: "search" }));
    expect(first.model).toEqual({ name: "anomaly-search-ndcg_drop", version: v1.version, source: "registered" });
    const flaggedBefore = first.flagged.filter((p) => Date.parse(p.at) < eventAt).length;
    const flaggedAfter = first.flagged.filter((p) => Date.parse(p.at) >= eventAt).length;
    expect(flaggedAfter).toBeGreaterThan(20);
    expect(flaggedBefore).toBeLessThanOrEqual(5);

    const v2 = await register(7);
    await mlflow.setAlias(detectorModelName(SERIES), DETECTOR_ALIAS, v2.version);
    const second = success(await run({ signal: "ndcg_drop", service: "search" }));
    expect(second.model.version).toBe(v2.version);
    expect(detectors.loaded()).toEqual([{ name: "anomaly-search-ndcg_drop", version: v2.version }]);
  });

  it("refuses a detector whose ONNX artifact no longer matches what was registered", async () => {
    const v3 = await register(11);
    const version = await mlflow.getModelVersion(detectorModelName(SERIES), v3.version);
    await mlflow.uploadArtifact(version!.source.replace(/\/model$/, ""), "model/model.onnx", new Uint8Array([1, 2, 3]));
    await mlflow.setAlias(detectorModelName(SERIES), DETECTOR_ALIAS, v3.version);
    const outcome = await run({ signal: "ndcg_drop", service: "search" });
    expect(outcome.status).toBe("error");
    expect(outcome.summary).toContain("does not match the digest");
  });

  it("scores an arbitrary query with an ad-hoc detector, and refuses one that returns several series", async () => {
    const f = success(await run({ query: QUERY, minutes: 120 }));
    expect(f).toMatchObject({ series: QUERY, model: { source: "ad_hoc" }, points: 121 });
    const several = await run({ query: 'search:ndcg_at_10{service="search"}' });
    expect(several.status).toBe("error");
    expect(several.summary).toMatch(/returned \d+ series; narrow it to one/);
    const none = await run({ query: 'search:ndcg_at_10{service="nothing"}' });
    expect(none.status).toBe("no_data");
  });

  it("still scores the series when the registry does not answer, and says so", async () => {
    // A port nothing listens on: the registry is down, Prometheus is not.
    const down = new MlflowClient({ baseUrl: "http://127.0.0.1:9", timeoutMs: 500, retries: 0, clock: sb.clock });
    const ctx = testToolContext({ clock: sb.clock, clients: { prometheus, mlflow: down, detectors: new ServedDetectors(down) } });
    const outcome = (await detectAnomaliesTool.run(detectAnomaliesTool.input.parse({ signal: "ndcg_drop", service: "search" }), ctx)) as ToolOutcome<AnomaliesFinding>;
    const f = success(outcome);
    expect(f.model.source).toBe("ad_hoc");
    expect(outcome.summary).toContain("the detector registry could not be read for anomaly-search-ndcg_drop");
    expect(outcome.summary).toContain("scored by an ad-hoc detector instead");
  });

  it("takes either a signal and a service or a query, not both or neither", () => {
    expect(detectAnomaliesTool.input.safeParse({}).success).toBe(false);
    expect(detectAnomaliesTool.input.safeParse({ signal: "ndcg_drop", service: "search", query: QUERY }).success).toBe(false);
    expect(detectAnomaliesTool.input.safeParse({ signal: "ndcg_drop" }).success).toBe(false);
  });
});
