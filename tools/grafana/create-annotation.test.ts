import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedClock } from "../../core/index.js";
import { testToolContext } from "../prometheus/testing/tool-context.js";
import { GrafanaClient } from "./client.js";
import { createAnnotationTool } from "./create-annotation.js";
import { startGrafanaApi } from "./testing/grafana-api.js";
import { rejection } from "../testing/rejection.js";

const TOKEN = "glsa_test_secret_token";

describe("grafana_create_annotation over HTTP", () => {
  let api: Awaited<ReturnType<typeof startGrafanaApi>>;
  beforeAll(async () => {
    api = await startGrafanaApi({ token: TOKEN });
  });
  afterAll(() => api.close());

  const ctxWith = (grafana: GrafanaClient | undefined) =>
    ({ ...testToolContext({ clock: new SimulatedClock({ start: new Date("2026-11-21T10:00:00Z") }), clients: { grafana } }), cycleId: "si_2026_11_21_002" });
  const run = (input: unknown, grafana?: GrafanaClient) => createAnnotationTool.run(createAnnotationTool.input.parse(input), ctxWith(grafana));

  it("writes a region annotation on a dashboard panel with the autopilot's tag and the cycle", async () => {
    const client = new GrafanaClient({ baseUrl: api.url, token: TOKEN, timeoutMs: 2_000 });
    const outcome = await run({ dashboard_uid: "search-quality", panel_id: 4, time: "2026-11-21T09:40:00Z", time_end: "2026-11-21T09:45:00Z", tags: ["anomaly"], text: "3 anomalous points" }, client);
    expect(outcome).toMatchObject({ status: "success", data: { dashboard_uid: "search-quality", panel_id: 4, tags: ["mlops-autopilot", "anomaly"] } });
    const stored = api.annotations.at(-1)!;
    expect(stored).toMatchObject({ dashboardUID: "search-quality", panelId: 4, time: Date.parse("2026-11-21T09:40:00Z"), timeEnd: Date.parse("2026-11-21T09:45:00Z"), text: "3 anomalous points (cycle si_2026_11_21_002)" });
  });

  it("answers an error outcome when Grafana is not configured, and when a panel has no dashboard", async () => {
    expect(await run({ time: "2026-11-21T09:40:00Z", text: "x" })).toMatchObject({ status: "error", error: { code: "not_configured", system: "grafana" } });
    const client = new GrafanaClient({ baseUrl: api.url, token: TOKEN });
    expect(await run({ panel_id: 2, time: "2026-11-21T09:40:00Z", text: "x" }, client)).toMatchObject({ status: "error", error: { code: "invalid_input" } });
  });

  it("names a refused token as Grafana's 401 without the token in the error, and does not retry a POST", async () => {
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const client = new GrafanaClient({ baseUrl: api.url, token: "wrong-token", fetch: counting, backoffMs: 1 });
    const error = await rejection(client.createAnnotation({ time: new Date(), tags: [], text: "x" }));
    expect(error).toMatchObject({ system: "grafana", status: 401, upstreamMessage: "Unauthorized", request: "POST /api/annotations" });
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain("wrong-token");
    expect(calls).toBe(1);
  });

  it("reads Grafana's version from /api/health", async () => {
    expect(await new GrafanaClient({ baseUrl: api.url }).health()).toMatchObject({ version: "11.3.0", database: "ok" });
  });
});
