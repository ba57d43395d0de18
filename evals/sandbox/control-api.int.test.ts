import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadScenario } from "./scenario-files.js";
import { startSandbox, type RunningSandbox } from "./test-support.js";

let s: RunningSandbox;
beforeEach(async () => {
  s = await startSandbox("ndcg-drop");
});
afterEach(() => s.close());

describe("control API", () => {
  it("reports the state and advances simulated time", async () => {
    const before = (await s.json("/control/state")).body;
    expect(before).toMatchObject({ scenario: "ndcg-drop", elapsed_minutes: 0, serving: { champion: { version: "1" }, canary: null, canary_weight: 0 }, timeline: [] });
    expect(before.metrics.ndcg_at_10).toBeCloseTo(0.72, 2);
    const after = await s.json("/control/advance", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ minutes: 30 }) });
    expect(after.body).toMatchObject({ now: "2026-11-20T08:30:00.000Z", elapsed_minutes: 30 });
    expect(after.body.timeline).toEqual([{ at: "2026-11-20T08:10:00.000Z", kind: "event", summary: expect.stringContaining("travel, sports") }]);
    expect(after.body.topics.travel.ndcg_at_10).toBeCloseTo(0.72 * 0.82, 2);
    expect(after.body.metrics.ndcg_at_10).toBeLessThan(0.72 * 0.97);
    const bad = await s.json("/control/advance", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ minutes: "soon" }) });
    expect(bad.status).toBe(400);
  });

  it("serves the same API through the fetch handler and names each system's base URL", async () => {
    const response = await s.sandbox.fetch(new Request("http://sandbox.test/prometheus/api/v1/query?query=search:ndcg_at_10:baseline"));
    expect((await response.json()).data.result[0].value[1]).toBe("0.72");
    expect(s.sandbox.urls("http://127.0.0.1:9/")).toEqual({
      prometheus: "http://127.0.0.1:9/prometheus",
      mlflow: "http://127.0.0.1:9/mlflow",
      h2o: "http://127.0.0.1:9/h2o",
      argocd: "http://127.0.0.1:9/argocd",
      metrics: "http://127.0.0.1:9/metrics",
    });
    expect((await fetch(`${s.urls.prometheus}/-/ready`)).status).toBe(200);
  });
});

describe("determinism", () => {
  it("gives the same numbers for the same scenario and different noise for another seed", async () => {
    const query = "/prometheus/api/v1/query?query=search_topic:ndcg_at_10";
    const twin = await startSandbox("ndcg-drop");
    const reseeded = await startSandbox({ ...loadScenario("ndcg-drop"), seed: 7 });
    try {
      for (const sb of [s, twin, reseeded]) sb.clock.advance(42 * 60_000);
      const [a, b, c] = await Promise.all([s, twin, reseeded].map(async (sb) => (await sb.json(query)).body.data.result));
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
    } finally {
      await twin.close();
      await reseeded.close();
    }
  });
});
