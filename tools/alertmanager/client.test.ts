import { describe, expect, it } from "vitest";
import { loadFixture, replayFetch, type HttpFixture } from "../prometheus/testing/replay-fixture.js";
import { AlertmanagerClient, alertmanagerErrorMessage } from "./client.js";
import { rejection } from "../testing/rejection.js";

const BASE = "http://alertmanager.test/am";
const fixture = (file: string) => loadFixture(import.meta.url, file);

function clientFor(fixtures: HttpFixture[], options: { retries?: number; headers?: Record<string, string>; baseUrl?: string } = {}) {
  const fetch = replayFetch(fixtures, "/am");
  const client = new AlertmanagerClient({ baseUrl: options.baseUrl ?? BASE, fetch, retries: options.retries ?? 0, backoffMs: 1, headers: options.headers });
  return { client, fetch };
}

describe("AlertmanagerClient against the recorded fixtures", () => {
  it("lists alerts with state flags and a matcher filter, reading their status", async () => {
    const { client, fetch } = clientFor([fixture("alerts-list.ok.json")], { headers: { authorization: "Bearer proxy-secret" } });
    const alerts = await client.listAlerts({ active: true, silenced: false, inhibited: false, filter: ['service="search"'] });
    fetch.done();
    expect(fetch.seen[0]!.headers.get("authorization")).toBe("Bearer proxy-secret");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      fingerprint: "8f1d2c3b4a596877",
      labels: { alertname: "SearchRelevanceDegraded", service: "search" },
      receivers: [{ name: "autopilot" }],
      status: { state: "active", silencedBy: [], inhibitedBy: [] },
    });
  });

  it("sends no state flags by default and fills silencedBy, inhibitedBy and mutedBy when a server omits them", async () => {
    const { client, fetch } = clientFor([fixture("alerts-list.suppressed.json")]);
    const alerts = await client.listAlerts();
    fetch.done();
    expect(alerts.map((a) => a.status.state)).toEqual(["active", "suppressed"]);
    expect(alerts[1]!.status).toEqual({ state: "suppressed", silencedBy: ["a3c9e1d2-7b4f-4e8a-9c1d-2f6b8e0a5d37"], inhibitedBy: [], mutedBy: [] });
  });

  it("repeats filter for each matcher", async () => {
    const urls: URL[] = [];
    const fetch = (async (input: string | URL | Request) => {
      urls.push(new URL(String(input)));
      return new Response("[]", { status: 200, headers: { "content-type": "application/json" } });
    }) as typeof globalThis.fetch;
    const client = new AlertmanagerClient({ baseUrl: `${BASE}/api/v2/`, fetch });
    expect(await client.listAlerts({ filter: ['alertname="SearchRelevanceDegraded"', 'severity=~"warning|critical"'], receiver: "autopilot" })).toEqual([]);
    expect(urls[0]!.pathname).toBe("/am/api/v2/alerts");
    expect(urls[0]!.searchParams.getAll("filter")).toEqual(['alertname="SearchRelevanceDegraded"', 'severity=~"warning|critical"']);
    expect(urls[0]!.searchParams.get("receiver")).toBe("autopilot");
  });

  it("reads a 400 whose body is a plain JSON string, without retrying", async () => {
    const f = fixture("alerts-list.bad-filter-400.json");
    const { client, fetch } = clientFor([f], { retries: 2 });
    const error = await rejection(client.listAlerts({ filter: [f.request.query!.filter!] }));
    expect(fetch.seen).toHaveLength(1);
    expect(error).toMatchObject({ system: "alertmanager", status: 400, request: "GET /api/v2/alerts", retryable: false, upstreamMessage: 'bad matcher format: service=search"' });
    expect(error.message).toBe('alertmanager: GET /api/v2/alerts answered 400: bad matcher format: service=search"');
  });

  it("posts alerts as JSON and accepts the empty 200", async () => {
    const f = fixture("alerts-post.ok.json");
    const { client, fetch } = clientFor([f]);
    await client.postAlerts(f.request.json as never);
    fetch.done();
  });

  it("surfaces every reason of a 400 on posted alerts, joined", async () => {
    const f = fixture("alerts-post.invalid-400.json");
    const { client, fetch } = clientFor([f], { retries: 2 });
    const error = await rejection(client.postAlerts(f.request.json as never));
    fetch.done();
    expect(error.code).toBe("alertmanager_invalid_alerts");
    expect(error.retryable).toBe(false);
    expect(error.upstreamMessage).toBe("start time must be before end time; at least one label pair required");
    expect(error.message).toBe(
      "alertmanager: POST /api/v2/alerts rejected invalid alerts (the valid ones were stored): start time must be before end time; at least one label pair required",
    );
  });

  it("lists silences by matcher with their state and matchers", async () => {
    const { client, fetch } = clientFor([fixture("silences-list.ok.json")]);
    const silences = await client.listSilences(['service="search"']);
    fetch.done();
    expect(silences.map((s) => [s.id, s.status.state])).toEqual([
      ["a3c9e1d2-7b4f-4e8a-9c1d-2f6b8e0a5d37", "active"],
      ["5e0b7f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "expired"],
    ]);
    expect(silences[1]!.matchers[1]).toEqual({ name: "processor", value: "embed|index", isRegex: true, isEqual: true });
  });

  it("creates a silence from Dates and returns its id", async () => {
    const f = fixture("silences-post.ok.json");
    const { client, fetch } = clientFor([f]);
    const body = f.request.json as { matchers: { name: string; value: string; isRegex: boolean }[]; createdBy: string; comment: string };
    const id = await client.createSilence({
      matchers: body.matchers.map(({ name, value, isRegex }) => ({ name, value, isRegex })),
      startsAt: new Date("2026-11-20T08:21:04Z"),
      endsAt: new Date("2026-11-20T09:21:04Z"),
      createdBy: body.createdBy,
      comment: body.comment,
    });
    fetch.done();
    expect(id).toBe("a3c9e1d2-7b4f-4e8a-9c1d-2f6b8e0a5d37");
  });

  it("does not retry a silence creation, and reads a 400's reason", async () => {
    const f = fixture("silences-post.ends-before-start-400.json");
    const { client, fetch } = clientFor([f], { retries: 2 });
    const body = f.request.json as { matchers: never[]; startsAt: string; endsAt: string; createdBy: string; comment: string };
    const error = await rejection(client.createSilence(body));
    fetch.done();
    expect(error).toMatchObject({ status: 400, request: "POST /api/v2/silences", upstreamMessage: "Failed to create silence: start time must be before end time" });
  });

  it("gets a silence by id, and null for an unknown one", async () => {
    const { client, fetch } = clientFor([fixture("silence-get.ok.json"), fixture("silence-get.not-found-404.json")]);
    const silence = await client.getSilence("a3c9e1d2-7b4f-4e8a-9c1d-2f6b8e0a5d37");
    expect(silence).toMatchObject({ status: { state: "active" }, createdBy: "mlops-autopilot", endsAt: "2026-11-20T09:21:04.000Z" });
    expect(await client.getSilence("0d6f1a8e-3b2c-4d5e-9f60-718293a4b5c6")).toBeNull();
    fetch.done();
  });

  it("expires a silence with DELETE on the singular path", async () => {
    const { client, fetch } = clientFor([fixture("silence-delete.ok.json")]);
    expect(await client.expireSilence("a3c9e1d2-7b4f-4e8a-9c1d-2f6b8e0a5d37")).toBe("expired");
    fetch.done();
    expect(fetch.seen[0]!.method).toBe("DELETE");
  });

  it("reports a silence that had already expired instead of failing", async () => {
    const { client, fetch } = clientFor([fixture("silence-delete.already-expired-500.json")]);
    expect(await client.expireSilence("5e0b7f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b")).toBe("already_expired");
    fetch.done();
  });

  it("names an unknown silence on expiry", async () => {
    const { client } = clientFor([fixture("silence-delete.not-found-404.json")]);
    const error = await rejection(client.expireSilence("0d6f1a8e-3b2c-4d5e-9f60-718293a4b5c6"));
    expect(error).toMatchObject({ code: "silence_not_found", status: 404, retryable: false });
    expect(error.message).toBe("alertmanager: no silence 0d6f1a8e-3b2c-4d5e-9f60-718293a4b5c6 (DELETE /api/v2/silence/0d6f1a8e-3b2c-4d5e-9f60-718293a4b5c6 answered 404)");
  });

  it("retries a 5xx on reads and turns a schema mismatch into an invalid-response error", async () => {
    let calls = 0;
    const fetch = (async () => {
      calls++;
      return calls === 1 ? new Response("upstream connect error", { status: 503 }) : new Response('[{"id": 7}]', { status: 200 });
    }) as typeof globalThis.fetch;
    const client = new AlertmanagerClient({ baseUrl: BASE, fetch, retries: 2, backoffMs: 1 });
    const error = await rejection(client.listSilences());
    expect(calls).toBe(2);
    expect(error.code).toBe("upstream_invalid_response");
    expect(error.message).toMatch(/^alertmanager: GET \/api\/v2\/silences answered an unexpected shape \(0\.id: /);
  });
});

describe("the removed v1 API", () => {
  it("is read from its { status, error } body", () => {
    const f = fixture("v1-removed-410.json");
    expect(alertmanagerErrorMessage(f.response.body, JSON.stringify(f.response.body))).toMatch(/^The Alertmanager v1 API was deprecated in version 0\.16\.0/);
  });

  it("answering 410 (a gateway still routing to it) gives an error that says what to fix", async () => {
    const f = fixture("v1-removed-410.json");
    const fetch = (async () => new Response(JSON.stringify(f.response.body), { status: f.response.status, headers: f.response.headers })) as typeof globalThis.fetch;
    const client = new AlertmanagerClient({ baseUrl: BASE, fetch, retries: 2, backoffMs: 1 });
    const error = await rejection(client.listAlerts());
    expect(error).toMatchObject({ code: "alertmanager_api_removed", status: 410, retryable: false });
    expect(error.message).toContain("answered 410: The Alertmanager v1 API was deprecated");
    expect(error.message).toContain("point the base URL at the server root");
  });
});
