import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { SimulatedClock } from "../../core/index.js";
import { loadScenario } from "../../evals/sandbox/index.js";
import { CycleReportSchema } from "../../graphs/index.js";
import { createAutopilot } from "../autopilot.js";
import { createApp } from "../http/app.js";
import { createProgressPrinter } from "../progress.js";
import { decideApproval, expireApprovals } from "../approvals.js";
import { farFuture, runScenarioCycle } from "../scenario-run.js";
import { createLogger } from "../logger.js";
import type { Config } from "../config.js";

/** What the demo printed and how it ended. */
export interface DemoResult {
  exitCode: number;
  report: unknown;
}

/**
 * Runs one scenario end to end in-process: a fresh embedded database, the sandbox platform, the
 * server on a loopback port; the sandbox raises the scenario's alert through the real webhook and
 * the cycle runs to its end. One progress line per step, the cycle report as the last line.
 */
export async function runDemo(config: Config, scenarioName: string, out: (line: string) => void): Promise<DemoResult> {
  const scenario = loadScenario(scenarioName);
  const home = await mkdtemp(path.join(tmpdir(), "autopilot-demo-"));
  const demoConfig: Config = {
    ...config,
    home,
    databaseUrl: undefined,
    systems: { prometheusUrl: undefined, mlflow: undefined, h2oUrl: undefined, argocd: undefined, alertmanagerUrl: undefined, grafana: undefined },
    alerts: { ...config.alerts, webhookToken: undefined },
    httpTimeoutMs: scenario.http_timeout_ms ?? config.httpTimeoutMs,
  };
  const logger = createLogger({ level: config.logLevel === "info" ? "warn" : config.logLevel, secrets: config.secrets });
  const clock = new SimulatedClock({ start: new Date(scenario.start) });
  const ap = await createAutopilot(demoConfig, { scenario, clock, logger });
  const app = createApp(ap);
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ap.events.on("audit", createProgressPrinter(out));
  try {
    out(`demo: scenario ${scenario.name} (${scenario.environment}): ${scenario.title}`);
    const { approval, reason } = scenario.operator;
    const cycle = await runScenarioCycle(ap, `${url}/api/v1/alerts/alertmanager`, async (paused) => {
      // The scenario's simulated operator answers; an ignored request is one that outlives its deadline.
      if (approval === "ignore") await expireApprovals(ap, farFuture());
      else await decideApproval(ap, paused.pendingApprovalId, { decision: approval === "approve" ? "approved" : "rejected", by: "simulated-operator", reason: reason ?? null });
    }, { authorization: `Bearer ${ap.alertmanagerToken}` });
    const expected = scenario.expect.outcome;
    out(`demo: cycle ${cycle.id} ended ${cycle.outcome ?? cycle.status}${cycle.error ? ` (${cycle.error})` : ""}; the scenario expects ${expected}`);
    // Stored as jsonb, the report comes back with its keys reordered; the schema restores its shape.
    const report = cycle.report ? CycleReportSchema.parse(cycle.report) : { cycle_id: cycle.id, status: cycle.status, error: cycle.error };
    out(JSON.stringify(report));
    return { exitCode: cycle.outcome === expected ? 0 : 1, report: cycle.report };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await ap.close();
    await rm(home, { recursive: true, force: true });
  }
}
