import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { loadScenario, parseDuration } from "../../evals/sandbox/index.js";
import { errorMessage } from "../../core/index.js";
import { createAutopilot } from "../autopilot.js";
import { createApp } from "../http/app.js";
import { expireApprovals, runLeftoverRequests } from "../approvals.js";
import { watchPolicies } from "../policy-watch.js";
import type { Config } from "../config.js";

/**
 * Starts the server: HTTP API, cycle runner, approval expiry. With the sandbox, its scenario is
 * re-anchored at start-up and the sandbox raises each scenario alert once at its time, as
 * Prometheus and Alertmanager would.
 */
export async function runServe(config: Config, out: (line: string) => void): Promise<{ close(): Promise<void> }> {
  const base = loadScenario(config.sandbox.scenario);
  const scenario = { ...base, start: new Date().toISOString() };
  const ap = await createAutopilot(config, { scenario });
  const app = createApp(ap);
  const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", () => resolve());
    server.once("error", reject);
  });
  const url = `http://${config.host}:${(server.address() as AddressInfo).port}`;
  ap.runner.start();
  ap.monitor.start();
  const policyWatcher = watchPolicies(ap);
  const timers: NodeJS.Timeout[] = [];
  timers.push(setInterval(() => void expireApprovals(ap).catch((e: unknown) => ap.logger.error({ err: errorMessage(e) }, "approval expiry failed")), 30_000));
  // An approved request whose process stopped before running it runs here.
  timers.push(setInterval(() => void runLeftoverRequests(ap).catch((e: unknown) => ap.logger.error({ err: errorMessage(e) }, "approved request sweep failed")), 30_000));
  if (ap.platform.sandbox && config.sandbox.autoAlerts) {
    const raised = new Set<number>();
    const start = Date.parse(scenario.start);
    timers.push(
      setInterval(() => {
        scenario.alerts.forEach((alert, index) => {
          if (raised.has(index) || ap.platform.clock.now().getTime() < start + parseDuration(alert.at)) return;
          raised.add(index);
          const body = JSON.stringify(ap.platform.sandbox!.alertPayload(index));
          const headers: Record<string, string> = { "content-type": "application/json", authorization: `Bearer ${ap.alertmanagerToken}` };
          fetch(`${url}/api/v1/alerts/alertmanager`, { method: "POST", headers, body }).catch((e: unknown) => ap.logger.error({ err: errorMessage(e) }, "sandbox alert failed"));
        });
      }, 2_000),
    );
  }
  out(`mlops-autopilot listening on ${url}`);
  out(`  database: ${ap.db.kind === "pglite" ? `PGlite in ${config.home}/pgdata` : "PostgreSQL (DATABASE_URL)"}`);
  out(`  platform: ${ap.platform.allSandbox ? `built-in sandbox, scenario ${scenario.name} (${scenario.environment}), ${config.sandbox.speed}x simulated time` : "configured systems"}`);
  out(`  model:    ${ap.models.name}`);
  out(`  policies: ${ap.policyDir} (reloaded when a .cedar file changes)`);
  const monitor = config.anomalyMonitor;
  out(`  monitor:  ${monitor.intervalMs > 0 ? `anomalies every ${monitor.intervalMs / 1000} s in the last ${monitor.windowMinutes} min of each series` : "off (ANOMALY_MONITOR_INTERVAL_SECONDS=0)"}`);
  out(`  console:  ${url}/ (sign in with an API token)`);
  out(`  API:      ${url}/api/v1 (OpenAPI at /api/v1/openapi.json), metrics at ${url}/metrics`);
  out(`  MCP:      ${url}/mcp (Streamable HTTP), or \`npx autopilot mcp\` on stdio`);
  out(`  webhook:  POST ${url}/api/v1/alerts/alertmanager (ALERTMANAGER_WEBHOOK_TOKEN or an operator's token)`);
  out(`  tokens:   \`npx autopilot token create --role operator\` (viewer, operator or admin)`);
  return {
    async close() {
      for (const t of timers) clearInterval(t);
      policyWatcher.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ap.close();
    },
  };
}
