import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../core/index.js";
import { ALL_TOOLS } from "../registry.js";
import type { ToolContext } from "../tool.js";
import { loadFixture, replayFetch, type HttpFixture } from "../prometheus/testing/replay-fixture.js";
import { testToolContext } from "../prometheus/testing/tool-context.js";
import { AlertmanagerClient } from "./client.js";
import { createSilenceTool } from "./create-silence.js";
import { expireSilenceTool } from "./expire-silence.js";
import { listAlertsTool, type ListAlertsData } from "./list-alerts.js";
import { postAlertsTool } from "./post-alerts.js";
import { alertmanagerTools } from "./toolset.js";

const fixture = (file: string) => loadFixture(import.meta.url, file);
const SILENCE = "a3c9e1d2-7b4f-4e8a-9c1d-2f6b8e0a5d37";
const EXPIRED = "5e0b7f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b";

function setup(fixtures: HttpFixture[], options: { cycleId?: string | null; client?: boolean } = {}) {
  const fetch = replayFetch(fixtures);
  const clock = new SimulatedClock({ start: new Date("2026-11-20T08:21:04Z") });
  const alertmanager = options.client === false ? undefined : new AlertmanagerClient({ baseUrl: "http://alertmanager.test", fetch, retries: 0 });
  const ctx: ToolContext = { ...testToolContext({ clock, clients: { alertmanager } }), cycleId: options.cycleId ?? null };
  return { ctx, fetch };
}

/** Parses the input as the gate does, then runs the tool. */
function run<T extends (typeof alertmanagerTools)[number]>(tool: T, input: unknown, ctx: ToolContext) {
  return tool.run(tool.input.parse(input), ctx);
}

describe("the Alertmanager tools", () => {
  it("are registered with flags that say what they change", () => {
    const flags = Object.fromEntries(alertmanagerTools.map((t) => [t.name, t.flags]));
    expect(flags).toEqual({
      alertmanager_list_alerts: { readOnly: true, destructive: false, idempotent: true, openWorld: true },
      alertmanager_post_alerts: { readOnly: false, destructive: false, idempotent: true, openWorld: true },
      alertmanager_create_silence: { readOnly: false, destructive: false, idempotent: false, openWorld: true },
      alertmanager_expire_silence: { readOnly: false, destructive: false, idempotent: true, openWorld: true },
    });
    for (const tool of alertmanagerTools) expect(ALL_TOOLS).toContain(tool);
  });

  it.each([
    [listAlertsTool, {}],
    [createSilenceTool, { matchers: [{ name: "alertname", value: "SearchLatencyHigh" }], duration_minutes: 30, comment: "rollout" }],
    [expireSilenceTool, { silence_id: SILENCE, reason: "rollout done" }],
    [postAlertsTool, { alerts: [{ labels: { alertname: "MetricAnomaly" } }] }],
  ] as const)("%s answers an error naming ALERTMANAGER_URL when the deployment has no Alertmanager", async (tool, input) => {
    const { ctx } = setup([], { client: false });
    const outcome = await run(tool, input, ctx);
    expect(outcome.status).toBe("error");
    if (outcome.status !== "error") return;
    expect(outcome.error).toMatchObject({ code: "not_configured", system: "alertmanager", retryable: false });
    expect(outcome.summary).toContain("ALERTMANAGER_URL");
  });
});

describe("alertmanager_list_alerts", () => {
  it("lists the alerts matching a filter, with their state", async () => {
    const { ctx, fetch } = setup([fixture("alerts-list.ok.json")]);
    const outcome = await run(listAlertsTool, { filter: ['service="search"'], silenced: false, inhibited: false }, ctx);
    fetch.done();
    expect(outcome.status).toBe("success");
    if (outcome.status !== "success") return;
    expect(outcome.summary).toBe('1 alert matching service="search" (1 active): SearchRelevanceDegraded');
    expect(outcome.data.alerts[0]).toMatchObject({ fingerprint: "8f1d2c3b4a596877", state: "active", receivers: ["autopilot"], starts_at: "2026-11-20T08:20:00.000Z" });
  });

  it("counts suppressed alerts and names the silence that suppresses them", async () => {
    const f = fixture("alerts-list.suppressed.json");
    const { ctx } = setup([{ ...f, request: { ...f.request, query: { active: "true", silenced: "true", inhibited: "true" } } }]);
    const outcome = await run(listAlertsTool, {}, ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    const data = outcome.data as ListAlertsData;
    expect(data.by_state).toEqual({ active: 1, suppressed: 1 });
    expect(data.alerts.find((a) => a.state === "suppressed")?.silenced_by).toEqual([SILENCE]);
  });

  it("answers no_data when nothing matches", async () => {
    const f = fixture("alerts-list.ok.json");
    const { ctx } = setup([{ ...f, response: { ...f.response, body: [] } }]);
    const outcome = await run(listAlertsTool, { filter: ['service="search"'], silenced: false, inhibited: false }, ctx);
    expect(outcome).toMatchObject({ status: "no_data", summary: 'Alertmanager holds no alerts matching service="search".' });
  });

  it("turns Alertmanager's 400 into an error naming the request and its reason", async () => {
    const f = fixture("alerts-list.bad-filter-400.json");
    const { ctx } = setup([{ ...f, request: { ...f.request, query: { ...f.request.query, active: "true", silenced: "true", inhibited: "true" } } }]);
    const outcome = await run(listAlertsTool, { filter: ['service=search"'] }, ctx);
    expect(outcome).toMatchObject({
      status: "error",
      error: { system: "alertmanager", request: "GET /api/v2/alerts", upstream_status: 400, upstream_message: 'bad matcher format: service=search"', retryable: false },
    });
  });
});

describe("alertmanager_create_silence", () => {
  const input = {
    matchers: [
      { name: "alertname", value: "SearchLatencyHigh" },
      { name: "service", value: "search" },
    ],
    duration_minutes: 60,
    comment: "Deploying a lighter reranker; latency alerts expected while it rolls out",
  };

  it("silences from now for the duration, with the cycle id in the comment", async () => {
    const { ctx, fetch } = setup([fixture("silences-post.ok.json")], { cycleId: "si_2026_11_20_001" });
    const outcome = await run(createSilenceTool, input, ctx);
    fetch.done();
    expect(outcome).toMatchObject({
      status: "success",
      summary: `Silenced alerts matching alertname="SearchLatencyHigh", service="search" for 60 min, until 2026-11-20T09:21:04.000Z (silence ${SILENCE})`,
      data: { silence_id: SILENCE, comment: `${input.comment} (cycle si_2026_11_20_001)`, created_by: "mlops-autopilot" },
    });
  });

  it("refuses matchers that are all regexes or negations, so a silence never mutes everything", () => {
    const parsed = createSilenceTool.input.safeParse({ ...input, matchers: [{ name: "severity", value: ".*", is_regex: true }, { name: "service", value: "checkout", is_equal: false }] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/exact equality/);
  });

  it("caps the duration at a day", () => {
    expect(createSilenceTool.input.safeParse({ ...input, duration_minutes: 24 * 60 }).success).toBe(true);
    expect(createSilenceTool.input.safeParse({ ...input, duration_minutes: 24 * 60 + 1 }).success).toBe(false);
  });
});

describe("alertmanager_expire_silence", () => {
  it("expires an active silence", async () => {
    const { ctx, fetch } = setup([fixture("silence-get.ok.json"), fixture("silence-delete.ok.json")]);
    const outcome = await run(expireSilenceTool, { silence_id: SILENCE, reason: "rollout done" }, ctx);
    fetch.done();
    expect(outcome).toMatchObject({ status: "success", data: { state_before: "active", already_expired: false, matchers: ['alertname="SearchLatencyHigh"', 'service="search"'] } });
  });

  it("changes nothing for a silence that has already expired, and says so", async () => {
    const { ctx, fetch } = setup([fixture("silence-get.expired.json")]);
    const outcome = await run(expireSilenceTool, { silence_id: EXPIRED, reason: "maintenance over" }, ctx);
    fetch.done();
    expect(fetch.seen.map((r) => r.method)).toEqual(["GET"]);
    expect(outcome).toMatchObject({ status: "success", data: { state_before: "expired", already_expired: true } });
    expect(outcome.summary).toContain("had already expired; nothing changed");
  });

  it("is an error for an unknown silence", async () => {
    const { ctx } = setup([fixture("silence-get.not-found-404.json")]);
    const outcome = await run(expireSilenceTool, { silence_id: "0d6f1a8e-3b2c-4d5e-9f60-718293a4b5c6", reason: "cleanup" }, ctx);
    expect(outcome).toMatchObject({ status: "error", error: { code: "silence_not_found", retryable: false } });
  });
});
