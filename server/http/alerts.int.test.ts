import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "node:http";
import { startHarness, type Harness } from "../testing/harness.js";

const alert = (labels: Record<string, string>, status = "firing", fingerprint = "0123456789abcdef") => ({
  status,
  labels: { alertname: "SearchRelevanceDegraded", signal: "ndcg_drop", service: "search", ...labels },
  annotations: { summary: "NDCG@10 fell", value: "0.66", baseline: "0.72" },
  startsAt: "2026-11-20T08:20:00Z",
  endsAt: status === "firing" ? "0001-01-01T00:00:00Z" : "2026-11-20T09:00:00Z",
  generatorURL: "http://prometheus/graph",
  fingerprint,
});
const payload = (alerts: unknown[], status = "firing") => ({
  version: "4",
  groupKey: '{}:{alertname="SearchRelevanceDegraded"}',
  truncatedAlerts: 0,
  status,
  receiver: "autopilot",
  groupLabels: { alertname: "SearchRelevanceDegraded" },
  commonLabels: {},
  commonAnnotations: {},
  externalURL: "http://alertmanager:9093",
  alerts,
});

async function counts(h: Harness) {
  const a = await h.db.query("SELECT count(*)::int AS n FROM alerts");
  const c = await h.db.query("SELECT count(*)::int AS n FROM cycles");
  return { alerts: a.rows[0]!.n as number, cycles: c.rows[0]!.n as number };
}

describe("POST /api/v1/alerts/alertmanager", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ scenario: "ndcg-drop", env: { ALERT_GROUP_WINDOW_SECONDS: "600" } });
  });
  afterAll(async () => h?.close());

  it("refuses malformed payloads with 400 naming what is wrong, and stores nothing", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...payload([alert({})]), version: "3" }, /version/],
      [payload([]), /alerts: must hold at least one alert/],
      [payload([{ ...alert({}), fingerprint: "not hex!" }]), /alerts\.0\.fingerprint: must be a hex fingerprint/],
      [payload([alert({ alertname: "" })]), /alerts\.0\.labels: must include a non-empty alertname/],
      [payload([{ ...alert({}), startsAt: "yesterday" }]), /alerts\.0\.startsAt: must be an RFC 3339 timestamp/],
      [{ alerts: "nope" }, /version/],
      ["{not json", /not valid JSON/],
    ];
    for (const [body, reason] of cases) {
      const res = await h.webhook(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      const error = (await res.json()) as { error: { code: string; message: string; details: Record<string, unknown> } };
      expect(error.error.message).toMatch(reason);
      expect(error.error.details.request_id).toBeTypeOf("string");
    }
    expect(await counts(h)).toEqual({ alerts: 0, cycles: 0 });
  });

  it("refuses a body over 1 MiB with 413", async () => {
    const big = JSON.stringify(payload([{ ...alert({}), annotations: { summary: "x".repeat(1_100_000) } }]));
    // Its own connection: the server answers before reading the whole body and closes that socket.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${h.url}/api/v1/alerts/alertmanager`, { method: "POST", agent: false, headers: { "content-type": "application/json" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end(big);
    });
    expect(status).toBe(413);
    expect(await counts(h)).toEqual({ alerts: 0, cycles: 0 });
  });

  it("stores the alert, starts one cycle, and deduplicates or groups the next ones while it runs", async () => {
    const first = await h.webhook(payload([alert({})]));
    expect(first.status).toBe(202);
    const started = (await first.json()) as { cycles_started: string[]; alerts: Array<{ disposition: string }> };
    expect(started.cycles_started).toHaveLength(1);
    expect(started.alerts[0]!.disposition).toBe("started");
    const again = (await (await h.webhook(payload([alert({})]))).json()) as { cycles_started: string[]; alerts: Array<{ disposition: string; cycleId: string }> };
    expect(again.cycles_started).toHaveLength(0);
    expect(again.alerts[0]).toMatchObject({ disposition: "duplicate", cycleId: started.cycles_started[0] });
    const sibling = (await (await h.webhook(payload([alert({ alertname: "SearchRecallDrop", signal: "recall_drop" }, "firing", "fedcba9876543210")]))).json()) as {
      alerts: Array<{ disposition: string; cycleId: string }>;
    };
    expect(sibling.alerts[0]).toMatchObject({ disposition: "joined", cycleId: started.cycles_started[0] });
    const resolved = (await (await h.webhook(payload([alert({}, "resolved")], "resolved"))).json()) as { alerts: Array<{ disposition: string }> };
    expect(resolved.alerts[0]!.disposition).toBe("resolved");
    expect(await counts(h)).toEqual({ alerts: 4, cycles: 1 });
  });

  it("escalates an alert for a service it does not manage without touching any system", async () => {
    const res = await h.webhook(payload([alert({ service: "billing" }, "firing", "aaaaaaaaaaaaaaaa")]));
    const { cycles_started } = (await res.json()) as { cycles_started: string[] };
    const cycle = await h.settle(cycles_started[0]!);
    const report = cycle.report as { outcome: string; outcome_reason: string; actions: unknown[] };
    expect(report.outcome).toBe("escalated");
    expect(report.outcome_reason).toContain('"billing"');
    expect(report.actions).toHaveLength(0);
  });
});

describe("the webhook with a shared token", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ scenario: "ndcg-drop", env: { ALERTMANAGER_WEBHOOK_TOKEN: "whk-0123456789" } });
  });
  afterAll(async () => h?.close());

  it("refuses a missing or wrong token with 401 and accepts the right one", async () => {
    expect((await h.webhook(payload([alert({})]), { authorization: "" })).status).toBe(401);
    const wrong = await h.webhook(payload([alert({})]), { authorization: "Bearer whk-wrong" });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain("whk-0123456789");
    expect((await h.webhook(payload([alert({})]), { authorization: "Bearer whk-0123456789" })).status).toBe(202);
  });
});

describe("the webhook without a shared token", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ scenario: "ndcg-drop" });
  });
  afterAll(async () => h?.close());

  it("is never open: without ALERTMANAGER_WEBHOOK_TOKEN it takes an operator's API token (or the process's own Alertmanager secret)", async () => {
    const none = await h.webhook(payload([alert({})]), { authorization: "" });
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { message: string } }).error.message).toContain("ALERTMANAGER_WEBHOOK_TOKEN");
    expect((await h.webhook(payload([alert({})]), { authorization: `Bearer ${h.tokens.viewer}` })).status).toBe(403);
    expect((await h.webhook(payload([alert({})]), { authorization: `Bearer ${h.tokens.operator}` })).status).toBe(202);
    expect((await h.webhook(payload([alert({})]), { authorization: `Bearer ${h.ap.alertmanagerToken}` })).status).toBe(202);
  });
});
