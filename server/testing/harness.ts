import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { SimulatedClock } from "../../core/index.js";
import { loadScenario, type Scenario } from "../../evals/sandbox/index.js";
import type { ModelProvider } from "../../agents/index.js";
import { loadConfig } from "../config.js";
import { createAutopilot, type Autopilot, type AutopilotOptions } from "../autopilot.js";
import { createApp } from "../http/app.js";
import { createTokensRepo, openTestDatabase, type CycleRow, type Database } from "../store/index.js";
import type { Platform } from "../platform.js";
import { expireApprovals } from "../approvals.js";
import { farFuture, runScenarioCycle } from "../scenario-run.js";

/** A running autopilot for integration tests, on the test database and a fresh sandbox world. */
export interface Harness {
  ap: Autopilot;
  url: string;
  scenario: Scenario;
  db: Database;
  tokens: { operator: string; viewer: string; admin: string };
  /** POSTs to the Alertmanager webhook, as Alertmanager would (with the webhook's token) unless `headers` says otherwise. */
  webhook(body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Calls the API with a token. */
  api(method: string, pathname: string, token?: string, body?: unknown): Promise<Response>;
  /** Runs queued cycles until `cycleId` pauses or ends. */
  settle(cycleId: string): Promise<CycleRow>;
  /** Raises the scenario's first alert through the webhook and runs its cycle to its end, answering approvals as the scenario's operator. */
  runScenario(): Promise<CycleRow>;
  /** Stops the server and the autopilot; keeps the database when `keepDb`. */
  close(options?: { keepDb?: boolean }): Promise<void>;
}

/** What a harness starts with. */
export interface HarnessOptions {
  scenario: string | Scenario;
  env?: Record<string, string>;
  db?: Database;
  platform?: Platform;
  clock?: SimulatedClock;
  models?: ModelProvider;
  runConfig?: AutopilotOptions["runConfig"];
}

/** Starts a harness. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const scenario = typeof options.scenario === "string" ? loadScenario(options.scenario) : options.scenario;
  const home = await mkdtemp(path.join(tmpdir(), "autopilot-test-"));
  const timeout = scenario.http_timeout_ms ? { HTTP_TIMEOUT_MS: String(scenario.http_timeout_ms) } : {};
  const config = loadConfig({ AUTOPILOT_HOME: home, LOG_LEVEL: "silent", ...timeout, ...options.env } as NodeJS.ProcessEnv);
  const db = options.db ?? (await openTestDatabase());
  const clock = options.clock ?? new SimulatedClock({ start: new Date(scenario.start) });
  const ap = await createAutopilot(config, { scenario, db, clock, platform: options.platform, models: options.models, runConfig: options.runConfig });
  const server = serve({ fetch: createApp(ap).fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const repo = createTokensRepo(db);
  const now = new Date();
  const tokens = {
    operator: (await repo.create({ name: "olivia", role: "operator", by: "test", now })).token,
    viewer: (await repo.create({ name: "victor", role: "viewer", by: "test", now })).token,
    admin: (await repo.create({ name: "ada", role: "admin", by: "test", now })).token,
  };
  const api = (method: string, pathname: string, token?: string, body?: unknown) =>
    fetch(`${url}${pathname}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  const settle = async (cycleId: string): Promise<CycleRow> => {
    for (let i = 0; i < 50; i++) {
      await ap.runner.runNext();
      const row = await ap.store.cycles.get(cycleId);
      if (row && row.status !== "queued" && row.status !== "running") return row;
    }
    throw new Error(`cycle ${cycleId} did not settle`);
  };
  return {
    ap,
    url,
    scenario,
    db,
    tokens,
    api,
    webhook: (body, headers = {}) =>
      fetch(`${url}/api/v1/alerts/alertmanager`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ap.alertmanagerToken}`, ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    settle,
    runScenario: () =>
      runScenarioCycle(ap, `${url}/api/v1/alerts/alertmanager`, async (paused) => {
        const { approval, reason } = scenario.operator;
        if (approval === "ignore") await expireApprovals(ap, farFuture());
        else await api("POST", `/api/v1/approvals/${paused.pendingApprovalId}/${approval === "reject" ? "reject" : "approve"}`, tokens.operator, { reason: reason ?? "simulated operator" });
      }, { authorization: `Bearer ${ap.alertmanagerToken}` }),
    async close({ keepDb = false } = {}) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ap.close();
      if (!keepDb && !options.db) await db.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
