import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TRIGGER_CONTRACT, SimulatedClock } from "../core/index.js";
import { AlertmanagerClient, findTool, type ToolContext, type ToolOutcome } from "../tools/index.js";
import { missingBinaries, startAlertmanager, type MonitoringProcess } from "./testing/monitoring.js";

// The Alertmanager client and tools against a real Alertmanager (API v2): alerts posted to it are
// listed with their state, a silence created through the tool suppresses exactly the alerts it
// matches, and expiring it (twice) brings them back. The recorded fixtures check the same client
// offline (tools/alertmanager/client.test.ts); this checks that those fixtures are what it answers.

const missing = missingBinaries("alertmanager");
const title = "the Alertmanager tools against a real Alertmanager";
if (missing) console.warn(`skipped: ${title}: ${missing}`);

describe.skipIf(missing !== null)(missing ? `${title} (skipped: ${missing})` : title, () => {
  let webhook: Server;
  let alertmanager: MonitoringProcess;
  let client: AlertmanagerClient;
  let ctx: ToolContext;
  const run = async <T,>(name: string, input: unknown): Promise<ToolOutcome<T>> => {
    const tool = findTool(name)!;
    return (await tool.run(tool.input.parse(input), ctx)) as ToolOutcome<T>;
  };
  const states = async () =>
    Object.fromEntries((await client.listAlerts({ filter: ['service="search"'] })).map((a) => [a.labels.alertname!, a.status.state]));

  beforeAll(async () => {
    // A receiver that accepts the notifications, so Alertmanager has somewhere to send them.
    webhook = createServer((req, res) => req.resume().on("end", () => res.writeHead(200).end()));
    await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve));
    alertmanager = await startAlertmanager({ webhookUrl: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook` });
    client = new AlertmanagerClient({ baseUrl: alertmanager.url, timeoutMs: 5_000 });
    ctx = {
      clients: { alertmanager: client } as unknown as ToolContext["clients"],
      clock: new SimulatedClock({ start: new Date() }),
      signal: new AbortController().signal,
      environment: "production",
      contract: DEFAULT_TRIGGER_CONTRACT,
      cycleId: "si_2026_11_21_001",
    };
    const endsAt = new Date(Date.now() + 60 * 60_000).toISOString();
    await client.postAlerts([
      { labels: { alertname: "SearchNdcgDrop", service: "search", severity: "warning" }, annotations: { summary: "NDCG@10 fell" }, endsAt },
      { labels: { alertname: "SearchLatencyP95High", service: "search", severity: "warning" }, endsAt },
      { labels: { alertname: "EtlBacklogHigh", service: "etl", severity: "warning" }, endsAt },
    ]);
  }, 60_000);

  afterAll(async () => {
    await alertmanager?.stop();
    await new Promise<void>((resolve) => (webhook ? webhook.close(() => resolve()) : resolve()));
  });

  it("lists the alerts it was sent, filtered by a matcher, with their state and annotations", async () => {
    const outcome = await run<{ total: number; alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string>; state: string; receivers: string[] }> }>(
      "alertmanager_list_alerts",
      { filter: ['service="search"'] },
    );
    expect(outcome.status).toBe("success");
    if (outcome.status !== "success") return;
    expect(outcome.data.total).toBe(2);
    expect(outcome.data.alerts.map((a) => a.labels.alertname).sort()).toEqual(["SearchLatencyP95High", "SearchNdcgDrop"]);
    const ndcg = outcome.data.alerts.find((a) => a.labels.alertname === "SearchNdcgDrop")!;
    expect(ndcg).toMatchObject({ state: "active", annotations: { summary: "NDCG@10 fell" }, receivers: ["autopilot"] });
  });

  it("silences exactly the matching alerts, then expires the silence (twice, the second changing nothing)", async () => {
    const created = await run<{ silence_id: string }>("alertmanager_create_silence", {
      matchers: [{ name: "alertname", value: "SearchLatencyP95High" }],
      duration_minutes: 30,
      comment: "rollout of the reranker",
    });
    expect(created.status).toBe("success");
    if (created.status !== "success") return;
    const id = created.data.silence_id;
    const silence = await client.getSilence(id);
    expect(silence).toMatchObject({ status: { state: "active" }, createdBy: expect.any(String) });
    expect(silence!.comment).toContain("si_2026_11_21_001");

    expect(await states()).toEqual({ SearchLatencyP95High: "suppressed", SearchNdcgDrop: "active" });
    const active = await run<{ total: number }>("alertmanager_list_alerts", { filter: ['service="search"'], silenced: false });
    expect(active.status === "success" && active.data.total).toBe(1);

    const expired = await run<{ already_expired: boolean; state_before: string }>("alertmanager_expire_silence", { silence_id: id, reason: "rollout done" });
    expect(expired).toMatchObject({ status: "success", data: { already_expired: false, state_before: "active" } });
    expect((await client.getSilence(id))?.status.state).toBe("expired");
    expect(await states()).toEqual({ SearchLatencyP95High: "active", SearchNdcgDrop: "active" });
    const again = await run<{ already_expired: boolean }>("alertmanager_expire_silence", { silence_id: id, reason: "rollout done" });
    expect(again).toMatchObject({ status: "success", data: { already_expired: true } });
  });

  it("refuses a silence that would mute everything, before Alertmanager sees it", () => {
    const tool = findTool("alertmanager_create_silence")!;
    const parsed = tool.input.safeParse({ matchers: [{ name: "alertname", value: ".*", is_regex: true }], duration_minutes: 30, comment: "all" });
    expect(parsed.success).toBe(false);
  });

  it("raises an alert of its own that Alertmanager then holds, with its source label and cycle", async () => {
    const endsAt = new Date(Date.now() + 30 * 60_000).toISOString();
    const posted = await run<{ posted: number; alertnames: string[] }>("alertmanager_post_alerts", {
      alerts: [{ labels: { alertname: "MetricAnomaly", service: "search", series: "search_ndcg" }, annotations: { summary: "3 anomalous points" }, ends_at: endsAt }],
    });
    expect(posted).toMatchObject({ status: "success", data: { posted: 1, alertnames: ["MetricAnomaly"] } });
    const held = await client.listAlerts({ filter: ['alertname="MetricAnomaly"'] });
    expect(held).toHaveLength(1);
    expect(held[0]!.labels).toEqual({ alertname: "MetricAnomaly", service: "search", series: "search_ndcg", source: "mlops-autopilot" });
    expect(held[0]!.annotations).toEqual({ summary: "3 anomalous points", cycle_id: "si_2026_11_21_001" });
  });

  it("refuses an alert without an alertname before Alertmanager sees it", () => {
    const parsed = findTool("alertmanager_post_alerts")!.input.safeParse({ alerts: [{ labels: { service: "search" } }] });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(parsed.error.issues[0]!.message).toContain("alertname");
  });

  it("answers an unknown silence as an error naming it", async () => {
    const outcome = await run("alertmanager_expire_silence", { silence_id: "00000000-0000-4000-8000-000000000000", reason: "x" });
    expect(outcome.status).toBe("error");
    expect(outcome.summary).toContain("00000000-0000-4000-8000-000000000000");
  });
});
