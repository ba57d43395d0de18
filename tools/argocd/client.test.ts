import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../core/index.js";
import type { UpstreamError } from "../http.js";
import { loadFixture, replayFetch, type HttpFixture } from "../prometheus/testing/replay-fixture.js";
import { ArgoCdClient } from "./client.js";
import { rejection } from "../testing/rejection.js";

const BASE = "http://argocd.test/argocd";
const TOKEN = "eyJhbGciOiJIUzI1NiJ9.argocd-project-token.c2lnbmF0dXJl";
const NEW_REVISION = "8afbb1d13ee46f8d31438012551e1a919db506c3";
const fixture = (file: string) => loadFixture(import.meta.url, file);

function clientFor(fixtures: HttpFixture[], retries = 0) {
  const fetch = replayFetch(fixtures, "/argocd");
  const clock = new SimulatedClock({ start: new Date("2026-08-01T12:00:00Z") });
  return { client: new ArgoCdClient({ baseUrl: BASE, token: TOKEN, fetch, clock, retries, backoffMs: 1 }), fetch };
}

function expectNoToken(error: UpstreamError): void {
  const text = `${error.message} ${error.upstreamMessage ?? ""} ${JSON.stringify(error.details)} ${String(error.stack)}`;
  expect(text).not.toContain(TOKEN);
}

describe("ArgoCdClient against the recorded fixtures", () => {
  it("reads an application with a Bearer token, keeping unknown fields", async () => {
    const { client, fetch } = clientFor([fixture("get-application.json")]);
    const app = await client.getApplication("search");
    fetch.done();
    expect(fetch.seen[0]?.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(app.metadata.name).toBe("search");
    expect(app.status?.sync?.status).toBe("Synced");
    expect(app.status?.health?.status).toBe("Healthy");
    expect(app.status?.history?.map((h) => h.id)).toEqual([1, 2, 3]);
    expect(app.status?.operationState?.phase).toBe("Succeeded");
    expect(app.status?.resourceHealthSource).toBe("appTree");
  });

  it("posts a sync and returns the accepted application with its operation set", async () => {
    const { client, fetch } = clientFor([fixture("sync-accepted.json")]);
    const app = await client.sync("search", { revision: NEW_REVISION, prune: false, dryRun: false });
    fetch.done();
    expect(app.operation).toMatchObject({ sync: { revision: NEW_REVISION } });
  });

  it("posts a rollback with the history id", async () => {
    const { client, fetch } = clientFor([fixture("rollback.json")]);
    const app = await client.rollback("search", { id: 2 });
    fetch.done();
    expect(fetch.seen[0]?.method).toBe("POST");
    expect(app.operation).toMatchObject({ sync: { syncStrategy: { apply: {} } } });
  });

  it("maps a 403 on getApplication to 'application not found or permission denied', without retrying", async () => {
    const { client, fetch } = clientFor([fixture("get-application-403-not-found.json")], 2);
    const error = await rejection(client.getApplication("checkout"));
    fetch.done();
    expect(fetch.seen).toHaveLength(1);
    expect(error.code).toBe("not_found_or_denied");
    expect(error.status).toBe(403);
    expect(error.system).toBe("argocd");
    expect(error.request).toBe("GET /api/v1/applications/checkout");
    expect(error.message).toContain("application not found or permission denied");
    expect(error.upstreamMessage).toBe("permission denied");
    expectNoToken(error);
  });

  it("gives 'another operation is already in progress' its own code", async () => {
    const { client, fetch } = clientFor([fixture("sync-operation-in-progress-400.json")]);
    const error = await rejection(client.sync("search", { revision: NEW_REVISION, prune: false, dryRun: false }));
    fetch.done();
    expect(error.code).toBe("operation_in_progress");
    expect(error.status).toBe(400);
    expect(error.retryable).toBe(false);
    expect(error.upstreamMessage).toBe("error setting app operation: another operation is already in progress");
    expectNoToken(error);
  });
});

describe("ArgoCdClient transport", () => {
  const clock = new SimulatedClock({ start: new Date("2026-08-01T12:00:00Z") });
  const unavailable = () =>
    new Response(JSON.stringify({ error: "connection refused", code: 14, message: "connection refused" }), { status: 503 });

  it("retries a GET on 5xx and network errors, then succeeds", async () => {
    const answers: (() => Response)[] = [
      unavailable,
      () => {
        throw new TypeError("fetch failed: ECONNRESET");
      },
      () => new Response(JSON.stringify(fixture("get-application.json").response.body), { status: 200 }),
    ];
    let calls = 0;
    const fetch = (async () => answers[calls++]!()) as typeof globalThis.fetch;
    const client = new ArgoCdClient({ baseUrl: BASE, token: TOKEN, fetch, clock, retries: 2, backoffMs: 1 });
    expect((await client.getApplication("search")).metadata.name).toBe("search");
    expect(calls).toBe(3);
  });

  it("does not retry a sync (not idempotent), even on 5xx", async () => {
    let calls = 0;
    const fetch = (async () => {
      calls++;
      return unavailable();
    }) as typeof globalThis.fetch;
    const client = new ArgoCdClient({ baseUrl: BASE, token: TOKEN, fetch, clock, retries: 2, backoffMs: 1 });
    const error = await rejection(client.sync("search", { revision: NEW_REVISION }));
    expect(calls).toBe(1);
    expect(error).toMatchObject({ status: 503, upstreamMessage: "connection refused", retryable: true });
  });

  it("times out a request that never answers", async () => {
    let calls = 0;
    const fetch = ((_url: unknown, init?: RequestInit) => {
      calls++;
      return new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
    }) as typeof globalThis.fetch;
    const client = new ArgoCdClient({ baseUrl: BASE, token: TOKEN, fetch, clock, timeoutMs: 20, retries: 1, backoffMs: 1 });
    const error = await rejection(client.getApplication("search"));
    expect(calls).toBe(2);
    expect(error.code).toBe("upstream_timeout");
    expectNoToken(error);
  });

  it("redacts the token if an upstream ever echoes it", async () => {
    const body = JSON.stringify({ error: `invalid session: token ${TOKEN} is expired`, code: 16, message: `invalid session: token ${TOKEN} is expired` });
    const fetch = (async () => new Response(body, { status: 401 })) as typeof globalThis.fetch;
    const client = new ArgoCdClient({ baseUrl: BASE, token: TOKEN, fetch, clock });
    const error = await rejection(client.listApplications());
    expect(error.status).toBe(401);
    expect(error.upstreamMessage).toBe("invalid session: token [REDACTED] is expired");
    expectNoToken(error);
  });

  it("lists applications, reading grpc-gateway's null items as none", async () => {
    const fetch = (async () => new Response(JSON.stringify({ metadata: {}, items: null }), { status: 200 })) as typeof globalThis.fetch;
    expect(await new ArgoCdClient({ baseUrl: BASE, fetch, clock }).listApplications()).toEqual([]);
  });

  it("sends strategy and sync options in the documented shape, and terminates with DELETE", async () => {
    const seen: { method?: string; url: string; body?: unknown }[] = [];
    const fetch = (async (url: URL, init?: RequestInit) => {
      seen.push({ method: init?.method, url: String(url), body: init?.body });
      const app = fixture("get-application.json").response.body;
      return new Response(JSON.stringify(init?.method === "DELETE" ? {} : app), { status: 200 });
    }) as unknown as typeof globalThis.fetch;
    const client = new ArgoCdClient({ baseUrl: BASE, fetch, clock });
    await client.sync("search", { strategy: "apply", syncOptions: ["ServerSideApply=true"] });
    await client.terminateOperation("search");
    expect(JSON.parse(String(seen[0]?.body))).toEqual({ strategy: { apply: {} }, syncOptions: { items: ["ServerSideApply=true"] } });
    expect(seen[1]).toMatchObject({ method: "DELETE", url: `${BASE}/api/v1/applications/search/operation` });
  });
});
