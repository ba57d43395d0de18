import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedClock } from "../core/index.js";
import { AlertmanagerClient } from "./alertmanager/client.js";
import { listAlertsTool } from "./alertmanager/list-alerts.js";
import { ArgoCdClient } from "./argocd/client.js";
import { getApplicationTool } from "./argocd/get-application.js";
import type { ToolClients } from "./clients.js";
import { H2oClient } from "./h2o/client.js";
import { MlflowClient } from "./mlflow/client.js";
import { mlflowListBaselines } from "./mlflow/list-baselines.js";
import { PrometheusClient } from "./prometheus/client.js";
import { queryInstantTool } from "./prometheus/query-tools.js";
import { testToolContext } from "./prometheus/testing/tool-context.js";
import type { AnyTool, ToolOutcome } from "./tool.js";
import { rejection } from "./testing/rejection.js";

/**
 * Every system client against a real HTTP server that is down, slow or answers garbage: the call
 * ends in an UpstreamError naming the system, the request and the upstream problem (never a crash,
 * never a hang past the client's timeout), retryable exactly when a retry could help; the tool on
 * top turns it into an error outcome an agent can read. The secrets a client sends appear nowhere.
 */

const TIMEOUT_MS = 300;
const SECRET = "s3cr3t-token-never-shown";
const PROXY_PAGE = "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>";

type Fault = "down" | "slow" | "garbage" | "unavailable";

/** A server whose every answer is the fault; `down` is a port nothing listens on. */
interface FaultyServer {
  url(fault: Fault): string;
  /** Requests each fault's server received. */
  hits: Record<Fault, number>;
  close(): Promise<void>;
}

async function listen(handle: (res: ServerResponse) => void, count: () => void): Promise<{ server: Server; url: string; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    count();
    req.resume();
    handle(res);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
}

async function startFaultyServers(): Promise<FaultyServer> {
  const hits: Record<Fault, number> = { down: 0, slow: 0, garbage: 0, unavailable: 0 };
  // Slow: accepts the request and never answers.
  const slow = await listen(() => undefined, () => hits.slow++);
  // Garbage: a proxy's HTML error page with a 200.
  const garbage = await listen((res) => res.writeHead(200, { "content-type": "text/html" }).end(PROXY_PAGE), () => hits.garbage++);
  // Unavailable: a plain-text 503, as a load balancer with no backend answers.
  const unavailable = await listen((res) => res.writeHead(503, { "content-type": "text/plain" }).end("Service Unavailable"), () => hits.unavailable++);
  // Down: a port that was free a moment ago and that nothing listens on.
  const closed = await listen(() => undefined, () => hits.down++);
  await new Promise<void>((resolve) => closed.server.close(() => resolve()));
  const all = [slow, garbage, unavailable];
  return {
    hits,
    url: (fault) => ({ down: closed.url, slow: slow.url, garbage: garbage.url, unavailable: unavailable.url })[fault],
    async close() {
      for (const s of all) {
        for (const socket of s.sockets) socket.destroy();
        await new Promise<void>((resolve) => s.server.close(() => resolve()));
      }
    },
  };
}

const clock = new SimulatedClock({ start: new Date("2026-11-20T08:00:00Z") });
const common = { timeoutMs: TIMEOUT_MS, retries: 1, backoffMs: 1 };

/** One client per system: how to build it on a base URL, one call through it, and one tool on top (when a tool needs nothing else). */
interface SystemCase {
  system: string;
  /** The request the call makes, as the error names it. */
  request: string;
  call(baseUrl: string): Promise<unknown>;
  tool?: { def: AnyTool; input: unknown; request: string; clients(baseUrl: string): Partial<ToolClients> };
}

const prometheus = (baseUrl: string) => new PrometheusClient({ baseUrl, ...common, headers: { authorization: `Bearer ${SECRET}` } });
const alertmanager = (baseUrl: string) => new AlertmanagerClient({ baseUrl, ...common, headers: { authorization: `Bearer ${SECRET}` } });
const mlflow = (baseUrl: string) => new MlflowClient({ baseUrl, ...common, token: SECRET, clock });
const h2o = (baseUrl: string) => new H2oClient({ baseUrl, ...common, headers: { authorization: `Basic ${SECRET}` }, clock });
const argocd = (baseUrl: string) => new ArgoCdClient({ baseUrl, ...common, token: SECRET, clock });

const SYSTEMS: SystemCase[] = [
  {
    system: "prometheus",
    request: "POST /api/v1/query",
    call: (url) => prometheus(url).query("up"),
    tool: { def: queryInstantTool as AnyTool, input: { query: "up" }, request: "POST /api/v1/query", clients: (url) => ({ prometheus: prometheus(url) }) },
  },
  {
    system: "alertmanager",
    request: "GET /api/v2/alerts",
    call: (url) => alertmanager(url).listAlerts(),
    tool: { def: listAlertsTool as AnyTool, input: {}, request: "GET /api/v2/alerts", clients: (url) => ({ alertmanager: alertmanager(url) }) },
  },
  {
    system: "mlflow",
    request: "GET /api/2.0/mlflow/registered-models/alias",
    call: (url) => mlflow(url).getModelVersionByAlias("search-reranker", "champion"),
    tool: { def: mlflowListBaselines as AnyTool, input: { model_name: "search-reranker" }, request: "GET /api/2.0/mlflow/model-versions/search", clients: (url) => ({ mlflow: mlflow(url) }) },
  },
  { system: "h2o", request: "GET /3/Cloud", call: (url) => h2o(url).cloud() },
  {
    system: "argocd",
    request: "GET /api/v1/applications/search",
    call: (url) => argocd(url).getApplication("search"),
    tool: { def: getApplicationTool as AnyTool, input: { app: "search" }, request: "GET /api/v1/applications/search", clients: (url) => ({ argocd: argocd(url) }) },
  },
];

/** What each fault must look like in the error: the cause's words, the upstream status and whether retrying can help. */
const FAULTS: Record<Fault, { cause: RegExp; status: number | undefined; retryable: boolean; attempts: number }> = {
  down: { cause: /could not be reached|ECONNREFUSED|connection refused/i, status: undefined, retryable: true, attempts: 0 },
  slow: { cause: new RegExp(`timed out after ${TIMEOUT_MS} ms`), status: undefined, retryable: true, attempts: 2 },
  garbage: { cause: /non-JSON: <html><head><title>502 Bad Gateway/, status: 200, retryable: false, attempts: 1 },
  unavailable: { cause: /answered 503/, status: 503, retryable: true, attempts: 2 },
};

let servers: FaultyServer;
beforeAll(async () => {
  servers = await startFaultyServers();
});
afterAll(async () => {
  await servers.close();
});

describe.each(SYSTEMS)("the $system client", (c) => {
  it.each(Object.keys(FAULTS) as Fault[])("against a system that is %s: an error naming the system, the request and the cause", async (fault) => {
    const expected = FAULTS[fault];
    const before = servers.hits[fault];
    const error = await rejection(c.call(servers.url(fault)));

    expect(error.system).toBe(c.system);
    expect(error.request).toBe(c.request);
    expect(error.message).toMatch(new RegExp(`^${c.system}: `));
    expect(error.message).toContain(c.request);
    expect(error.message).toMatch(expected.cause);
    expect(error.status).toBe(expected.status);
    expect(error.retryable).toBe(expected.retryable);
    // Retried once (retries: 1) when a retry can help; an answer that breaks the contract is not.
    expect(servers.hits[fault] - before).toBe(expected.attempts);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(SECRET);
  });

  // H2O's one tool trains on a DVC dataset; its faults are covered at the cycle's level (server/faults.int.test.ts).
  const tool = c.tool;
  if (!tool) return;
  it(`its tool answers an error outcome an agent can read`, async () => {
    for (const fault of Object.keys(FAULTS) as Fault[]) {
      const ctx = testToolContext({ clock, clients: tool.clients(servers.url(fault)) });
      const outcome = (await tool.def.run(tool.def.input.parse(tool.input), ctx)) as ToolOutcome<unknown>;
      expect(outcome.status, fault).toBe("error");
      if (outcome.status !== "error") continue;
      expect(outcome.summary, fault).toMatch(FAULTS[fault].cause);
      expect(outcome.error, fault).toMatchObject({ system: c.system, request: tool.request, retryable: FAULTS[fault].retryable });
      expect(JSON.stringify(outcome), fault).not.toContain(SECRET);
    }
  });
});
