import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { argoOperation, importCsv, rankingRows, registerVersion, startSandbox, trainModel, values, writeCsv, type RunningSandbox } from "../test-support.js";

const dir = mkdtempSync(join(tmpdir(), "regression-test-"));
const csv = join(dir, "train.csv");
let s: RunningSandbox;

async function p95(variant = "all"): Promise<number> {
  const { body } = await s.json(`/prometheus/api/v1/query?query=${encodeURIComponent(`search:latency_p95_seconds{service="search",variant="${variant}"}`)}`);
  expect(body.data.result, `variant ${variant}`).toHaveLength(1);
  return Number(body.data.result[0].value[1]);
}

/** Trains the first model of the world (the one with the defect) and a second one, and registers both. */
async function trainTwo(): Promise<{ defective: string; healthy: string }> {
  await importCsv(s, csv, "train.hex");
  await trainModel(s, "train.hex", "first_gbm");
  await trainModel(s, "train.hex", "second_gbm");
  return { defective: await registerVersion(s, "first_gbm"), healthy: await registerVersion(s, "second_gbm") };
}

beforeAll(() => {
  const topics = ["electronics", "books", "fashion", "home", "sports", "travel"];
  writeCsv(csv, [...rankingRows({ topics, queries: 2, source: "base", prefix: "b" }), ...rankingRows({ topics: ["travel", "sports"], queries: 8, source: "augmented", prefix: "a" })]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => s.close());

describe("the hidden latency regression", () => {
  it("belongs to the first trained model only", async () => {
    s = await startSandbox("bad-deploy");
    await trainTwo();
    const models = (await s.json("/control/state")).body.models;
    expect(models.map((m: { key: string; hidden_regression: boolean }) => [m.key, m.hidden_regression])).toEqual([
      ["search-reranker-v1", false],
      ["first_gbm", true],
      ["second_gbm", false],
    ]);
  });

  it("stays hidden during a 20 % canary and shows at full traffic after the delay", async () => {
    s = await startSandbox("bad-deploy");
    const { defective } = await trainTwo();
    s.gitops.set("canary", values("search-reranker", "1", { version: defective, weight: 20 }));
    await argoOperation(s, "sync", { revision: "canary" });
    s.clock.advance(60 * 60_000);
    expect(await p95("candidate")).toBeLessThan(0.5);
    expect(await p95("all")).toBeLessThan(0.5);

    s.gitops.set("promote", values("search-reranker", defective));
    await argoOperation(s, "sync", { revision: "promote" });
    const promotedAt = s.clock.now().getTime();
    s.clock.advance(14 * 60_000);
    expect(await p95()).toBeLessThan(0.5);
    s.clock.advance(2 * 60_000);
    expect(await p95()).toBeGreaterThanOrEqual(1.45 * 0.997);
    expect(await p95("champion")).toBeGreaterThanOrEqual(1.45 * 0.997);
    s.clock.advance(10 * 60_000);
    const { body } = await s.json(`/prometheus/api/v1/query?query=${encodeURIComponent('histogram_quantile(0.95, sum by (le) (rate(search_request_duration_seconds_bucket{service="search"}[5m])))')}`);
    expect(Number(body.data.result[0].value[1])).toBeGreaterThan(1.25);

    const params = new URLSearchParams({ query: 'search:latency_p95_seconds{variant="all"}', start: String(promotedAt / 1000), end: String((promotedAt + 25 * 60_000) / 1000), step: "60s" });
    const range = (await s.json(`/prometheus/api/v1/query_range?${params}`)).body.data.result[0].values as [number, string][];
    const firstSlow = range.find(([, v]) => Number(v) > 1)!;
    expect((firstSlow[0] * 1000 - promotedAt) / 60_000).toBe(15);

    const app = await argoOperation(s, "rollback", { id: 1 });
    expect(app.status.health.status).toBe("Healthy");
    s.clock.advance(60_000);
    expect(await p95()).toBeLessThan(0.5);
  });

  it("also shows on a canary that serves at least min_traffic_percent", async () => {
    s = await startSandbox("bad-deploy");
    const { defective } = await trainTwo();
    s.gitops.set("half", values("search-reranker", "1", { version: defective, weight: 50 }));
    await argoOperation(s, "sync", { revision: "half" });
    s.clock.advance(14 * 60_000);
    expect(await p95("candidate")).toBeLessThan(0.5);
    s.clock.advance(2 * 60_000);
    expect(await p95("candidate")).toBeGreaterThanOrEqual(1.45 * 0.997);
    expect(await p95("champion")).toBeLessThan(0.5);
  });

  it("never appears for a model without the defect", async () => {
    s = await startSandbox("bad-deploy");
    const { healthy } = await trainTwo();
    s.gitops.set("promote", values("search-reranker", healthy));
    await argoOperation(s, "sync", { revision: "promote" });
    s.clock.advance(120 * 60_000);
    expect(await p95()).toBeLessThan(0.5);
  });
});
