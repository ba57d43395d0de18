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
    systems: { prometheusUrl: undefined, mlflow: undefined, h2oUrl: undefined, argocd: undefined },
    alerts: { ...config.alerts, webhookToken: undefined },
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
    const sandbox = ap.platform.sandbox!;
    sandbox.advanceToAlert(0);
    const responses = await sandbox.raiseAlerts(`${url}/api/v1/alerts/alertmanager`);
    const accepted = (await responses[0]!.json()) as { cycles_started?: string[]; error?: unknown };
    const cycleId = accepted.cycles_started?.[0];
    if (!cycleId) throw new Error(`the webhook started no cycle: ${JSON.stringify(accepted)}`);
    for (;;) {
      const ran = await ap.runner.runNext();
      const cycle = ran?.id === cycleId ? ran : await ap.store.cycles.get(cycleId);
      if (!cycle) throw new Error(`cycle ${cycleId} disappeared`);
      if (cycle.status === "completed" || cycle.status === "failed") {
        const expected = scenario.expect.outcome;
        out(`demo: cycle ${cycleId} ended ${cycle.outcome ?? cycle.status}${cycle.error ? ` (${cycle.error})` : ""}; the scenario expects ${expected}`);
        // Stored as jsonb, the report comes back with its keys reordered; the schema restores its shape.
        const report = cycle.report ? CycleReportSchema.parse(cycle.report) : { cycle_id: cycleId, status: cycle.status, error: cycle.error };
        out(JSON.stringify(report));
        return { exitCode: cycle.outcome === expected ? 0 : 1, report: cycle.report };
      }
      if (cycle.status === "awaiting_approval" && cycle.pendingApprovalId) {
        // The scenario's simulated operator answers.
        const { approval, reason } = scenario.operator;
        // An ignored request is one that outlives its deadline.
        if (approval === "ignore") await expireApprovals(ap, new Date(Date.now() + 365 * 86_400_000));
        else await decideApproval(ap, cycle.pendingApprovalId, { decision: approval === "approve" ? "approved" : "rejected", by: "simulated-operator", reason: reason ?? null });
      }
    }
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await ap.close();
    await rm(home, { recursive: true, force: true });
  }
}
