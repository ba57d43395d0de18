import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitOpsValues } from "./gitops.js";
import { argoOperation, startSandbox, values, type RunningSandbox } from "./test-support.js";

let s: RunningSandbox;

function withWorkers(workers: Record<string, unknown>): GitOpsValues {
  return { ...values("search-reranker", "1"), processors: workers };
}

async function instant(expr: string): Promise<Record<string, number>> {
  const { body } = await s.json(`/prometheus/api/v1/query?query=${encodeURIComponent(expr)}`);
  return Object.fromEntries(body.data.result.map((r: { metric: Record<string, string>; value: [number, string] }) => [r.metric.processor ?? r.metric.stage ?? r.metric.variant ?? "", Number(r.value[1])]));
}

/** Every model-facing number now: relevance, latency, errors and cost. */
async function modelMetrics(): Promise<Record<string, number>[]> {
  return Promise.all(["search:ndcg_at_10", "search:recall_at_20", "search:latency_p95_seconds", "search:error_rate", "search:cost_budget_ratio", "search:cost_per_1k_requests_usd"].map(instant));
}

beforeEach(async () => {
  s = await startSandbox("etl-backlog");
  s.clock.advance(20 * 60_000); // after the embed backlog shift
});
afterEach(() => s.close());

describe("ETL processors in GitOps values", () => {
  it("serve baseline series of the backlog at the scenario's levels", async () => {
    expect(await instant('etl:backlog_seconds:baseline{service="search"}')).toEqual({ "": 12 });
    expect(await instant('etl_processor:backlog_seconds:baseline{service="search"}')).toEqual({ crawl: 6, embed: 12, index: 12 * 0.7 });
    expect(await instant('search_stage:latency_p95_seconds:baseline{service="search"}')).toEqual({ retrieve: 0.42 * 0.3, rerank: 0.42 * 0.75 });
  });

  it("scale a processor when Argo CD syncs values with its workers, halving its backlog when they double", async () => {
    const before = await instant('etl_processor:backlog_seconds{service="search"}');
    expect(before.embed).toBeCloseTo(80, 0);
    expect((await instant("etl:backlog_seconds"))[""]).toBeCloseTo(80, 0);
    const models = await modelMetrics();

    s.gitops.set("rev-2", withWorkers({ embed: { workers: 8 } }));
    const app = await argoOperation(s, "sync", { revision: "rev-2" });
    expect(app.status.health.status).toBe("Healthy");

    const after = await instant('etl_processor:backlog_seconds{service="search"}');
    expect(after.embed).toBe(before.embed! / 2); // same minute, same noise: exactly half
    expect(after.crawl).toBe(before.crawl);
    expect((await instant("etl:backlog_seconds"))[""]).toBeCloseTo(40, 0); // still the slowest processor
    expect(await modelMetrics()).toEqual(models);

    const state = (await s.json("/control/state")).body;
    expect(state.processors).toEqual({
      crawl: { workers: 2, backlog_seconds: after.crawl },
      embed: { workers: 8, backlog_seconds: after.embed },
      index: { workers: 2, backlog_seconds: after.index },
    });
    expect(state.metrics.etl_backlog_seconds).toBeCloseTo(40, 0);
    expect(state.timeline.at(-1).summary).toContain("ETL workers embed 4 -> 8");
  });

  it("keep the current workers when the values omit processors, and restore them when a rollback's values name them", async () => {
    s.gitops.set("rev-1", withWorkers({ crawl: { workers: 2 }, embed: { workers: 4 }, index: { workers: 2 } }));
    s.gitops.set("rev-2", withWorkers({ embed: { workers: 8 } }));
    await argoOperation(s, "sync", { revision: "rev-2" });
    s.gitops.set("rev-3", values("search-reranker", "1"));
    await argoOperation(s, "sync", { revision: "rev-3" });
    expect((await s.json("/control/state")).body.processors.embed.workers).toBe(8);
    await argoOperation(s, "rollback", { id: 1 });
    const state = (await s.json("/control/state")).body;
    expect(state.processors.embed).toEqual({ workers: 4, backlog_seconds: expect.closeTo(80, 0) });
  });

  it("degrade the app and change nothing when the values name an unknown processor or a bad worker count", async () => {
    for (const [revision, workers, problem] of [
      ["rev-x", { ingest: { workers: 3 } }, 'ETL processor "ingest"'],
      ["rev-y", { embed: { workers: 0 } }, "processors.embed.workers"],
    ] as const) {
      s.gitops.set(revision, { ...values("search-reranker", "1", { version: "1", weight: 20 }), processors: workers });
      const app = await argoOperation(s, "sync", { revision });
      expect(app.status.health).toMatchObject({ status: "Degraded", message: expect.stringContaining(problem) });
      const state = (await s.json("/control/state")).body;
      expect(state.processors.embed.workers).toBe(4);
      expect(state.serving.canary).toBeNull();
    }
  });
});
