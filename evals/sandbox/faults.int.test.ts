import { afterEach, describe, expect, it } from "vitest";
import { loadScenario } from "./scenario-files.js";
import type { ScenarioFault } from "./scenario.js";
import { startSandbox, type RunningSandbox } from "./test-support.js";

let s: RunningSandbox | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

async function withFaults(faults: ScenarioFault[], sleeps: number[] = []) {
  const scenario = loadScenario("ndcg-drop");
  s = await startSandbox({ ...scenario, faults }, { realSleep: async (ms) => void sleeps.push(ms) });
  return s;
}

describe("faults", () => {
  it("apply per system by simulated time", async () => {
    const sleeps: number[] = [];
    const sb = await withFaults(
      [
        { system: "prometheus", kind: "down", until: "5m" },
        { system: "mlflow", kind: "error" },
        { system: "h2o", kind: "garbage", from: "0s", until: "1h" },
        { system: "argocd", kind: "slow", delay_ms: 1234 },
      ],
      sleeps,
    );
    const down = await fetch(`${sb.url}/prometheus/api/v1/query?query=1`);
    expect(down.status).toBe(503);
    expect(await down.text()).toBe("Service Unavailable");
    expect(down.headers.get("x-prometheus-stopping")).toBe("false");
    sb.clock.advance(5 * 60_000);
    expect((await sb.json("/prometheus/api/v1/query?query=1")).status).toBe(200);

    expect(await sb.json("/mlflow/api/2.0/mlflow/experiments/get?experiment_id=0")).toMatchObject({ status: 500, body: { error_code: "INTERNAL_ERROR" } });

    const garbage = await fetch(`${sb.url}/h2o/3/Cloud`);
    expect(garbage.status).toBe(200);
    const text = await garbage.text();
    expect(() => JSON.parse(text)).toThrow();
    sb.clock.advance(60 * 60_000);
    expect((await sb.json("/h2o/3/Cloud")).body.cloud_healthy).toBe(true);

    const slow = await sb.json("/argocd/api/v1/applications/search");
    expect(slow.status).toBe(200);
    expect(slow.body.metadata.name).toBe("search");
    expect(sleeps).toEqual([1234]);

    expect((await sb.json("/control/state")).status).toBe(200);
    expect((await fetch(`${sb.url}/metrics`)).status).toBe(200);
  });

  it("render errors in each system's own format and wait 15 s by default when slow", async () => {
    const sleeps: number[] = [];
    const sb = await withFaults(
      [
        { system: "prometheus", kind: "error" },
        { system: "h2o", kind: "error" },
        { system: "argocd", kind: "error" },
        { system: "mlflow", kind: "slow" },
      ],
      sleeps,
    );
    expect(await sb.json("/prometheus/api/v1/query?query=1")).toMatchObject({ status: 500, body: { status: "error", errorType: "internal" } });
    expect(await sb.json("/h2o/3/Cloud")).toMatchObject({ status: 500, body: { __meta: { schema_name: "H2OErrorV3" }, http_status: 500, error_url: "/3/Cloud" } });
    expect(await sb.json("/argocd/api/v1/applications/search")).toMatchObject({ status: 500, body: { code: 13, error: expect.any(String), message: expect.any(String) } });
    expect((await sb.json("/mlflow/api/2.0/mlflow/experiments/get?experiment_id=0")).status).toBe(200);
    expect(sleeps).toEqual([15_000]);
  });
});
