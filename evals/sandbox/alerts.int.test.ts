import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Hono } from "hono";
import { fingerprint } from "./alerts.js";
import { loadScenario } from "./scenario-files.js";
import { listenOn } from "./server.js";
import { startSandbox, type RunningSandbox } from "./test-support.js";

let s: RunningSandbox;
beforeEach(async () => {
  s = await startSandbox("ndcg-drop");
});
afterEach(() => s.close());

describe("alert payloads", () => {
  it("have exactly the Alertmanager webhook shape, with value and baseline from the world", () => {
    s.sandbox.advanceToAlert(0);
    expect(s.clock.now().toISOString()).toBe("2026-11-20T08:20:00.000Z");
    const payload = s.sandbox.alertPayload(0);
    expect(Object.keys(payload).sort()).toEqual(["alerts", "commonAnnotations", "commonLabels", "externalURL", "groupKey", "groupLabels", "receiver", "status", "truncatedAlerts", "version"]);
    expect(payload).toMatchObject({ version: "4", status: "firing", truncatedAlerts: 0, groupKey: '{}:{alertname="SearchRelevanceDegraded"}', groupLabels: { alertname: "SearchRelevanceDegraded" } });
    expect(payload.alerts).toHaveLength(1);
    const alert = payload.alerts[0]!;
    expect(Object.keys(alert).sort()).toEqual(["annotations", "endsAt", "fingerprint", "generatorURL", "labels", "startsAt", "status"]);
    expect(alert).toMatchObject({ status: "firing", startsAt: "2026-11-20T08:20:00Z", endsAt: "0001-01-01T00:00:00Z", labels: { alertname: "SearchRelevanceDegraded", signal: "ndcg_drop", service: "search", severity: "warning" } });
    expect(alert.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(alert.annotations.summary).toBe("NDCG@10 of search fell under its baseline");
    expect(alert.annotations.baseline).toBe("0.72");
    expect(Number(alert.annotations.value)).toBeLessThan(0.72 * 0.97);
    expect(payload.commonAnnotations).toEqual(alert.annotations);
    expect(decodeURIComponent(alert.generatorURL)).toContain('search:ndcg_at_10{service="search"}');
  });

  it("keep annotations the scenario gives and reflect the world at the time they are built", async () => {
    const scenario = loadScenario("ndcg-drop");
    const custom = await startSandbox({ ...scenario, alerts: [{ at: "20m", labels: { alertname: "X", signal: "latency_p95" }, annotations: { value: "9" } }] });
    try {
      expect(custom.sandbox.alertPayload(0).alerts[0]!.annotations).toEqual({ value: "9", baseline: "0.42" });
    } finally {
      await custom.close();
    }
    expect(Number(s.sandbox.alertPayload(0).alerts[0]!.annotations.value)).toBeCloseTo(0.72, 2);
    expect(() => s.sandbox.alertPayload(3)).toThrow(RangeError);
  });

  it("fingerprint label sets independently of their order", () => {
    const a = fingerprint({ alertname: "A", service: "search" });
    expect(fingerprint({ service: "search", alertname: "A" })).toBe(a);
    expect(fingerprint({ alertname: "A", service: "other" })).not.toBe(a);
    expect(fingerprint({})).toBe("cbf29ce484222325"); // FNV-1a 64 offset basis: Prometheus' empty label set
  });

  it("are POSTed to a webhook once due", async () => {
    const received: { body: unknown; auth: string | undefined }[] = [];
    const hook = new Hono().post("/hook", async (c) => {
      received.push({ body: await c.req.json(), auth: c.req.header("authorization") });
      return c.json({ queued: true }, 202);
    });
    const listener = await listenOn(async (r) => hook.fetch(r), 0, "127.0.0.1");
    try {
      expect(await s.sandbox.raiseAlerts(`${listener.url}/hook`)).toEqual([]);
      s.sandbox.advanceToAlert(0);
      const responses = await s.sandbox.raiseAlerts(`${listener.url}/hook`, { headers: { authorization: "Bearer hook-token" } });
      expect(responses.map((r) => r.status)).toEqual([202]);
      expect(received).toEqual([{ body: s.sandbox.alertPayload(0), auth: "Bearer hook-token" }]);
    } finally {
      await listener.close();
    }
  });
});
