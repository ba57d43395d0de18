import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { SimulatedClock, systemClock, type Clock, type Environment } from "../core/index.js";
import { AlertmanagerClient, ArgoCdClient, DvcWorkspace, GitOpsRepo, GrafanaClient, H2oClient, MlflowClient, PrometheusClient, ServedDetectors, seedDataset, type ToolClients } from "../tools/index.js";
import { createSandbox, type Sandbox, type Scenario } from "../evals/sandbox/index.js";
import { isAllSandbox, type Config } from "./config.js";

/** The ML platform the tools talk to: real systems where configured, the sandbox elsewhere. */
export interface Platform {
  /** Handed to the policy gate and to nothing else. */
  clients: ToolClients;
  /** Business time: simulated when every system is the sandbox. */
  clock: Clock;
  /** The in-process sandbox, when any system falls back to it. */
  sandbox: Sandbox | null;
  /** Where the sandbox listens. */
  sandboxUrl: string | null;
  /** Whether every system is the sandbox (policies know this as `context.sandbox`). */
  allSandbox: boolean;
  close(): Promise<void>;
}

/** How to open the platform. */
export interface PlatformOptions {
  config: Config;
  environment: Environment;
  /** The sandbox world; required when any system falls back to the sandbox. */
  scenario: Scenario;
  /**
   * The simulated clock of an all-sandbox platform (tests and the demo pass one starting at the
   * scenario's start). A platform with a real system ignores it: its sandbox follows the wall clock.
   */
  clock?: SimulatedClock;
}

/**
 * Opens the platform. In sandbox mode the GitOps repository and the DVC workspace belong to the
 * simulated world and are recreated at every start (under `<home>/sandbox/`), so they always agree
 * with it; with real systems they are the configured ones and are never wiped.
 */
export async function openPlatform(options: PlatformOptions): Promise<Platform> {
  const { config, environment } = options;
  const allSandbox = isAllSandbox(config);
  const { scenario, simulated } = allSandbox ? sandboxTime(options) : wallTime(options.scenario);
  const clock: Clock = allSandbox ? simulated : systemClock;

  const sandboxHome = path.join(config.home, "sandbox");
  const gitopsDir = allSandbox ? path.join(sandboxHome, "gitops") : config.gitops.dir;
  const workspaceDir = allSandbox ? path.join(sandboxHome, "workspace") : config.dvcWorkspace;
  if (allSandbox) await rm(sandboxHome, { recursive: true, force: true });
  await mkdir(gitopsDir, { recursive: true });

  // The sandbox world owns its repository and workspace; configured remotes apply to real ones.
  const gitopsRemote = allSandbox ? undefined : config.gitops.remote;
  const gitops = await GitOpsRepo.open({ dir: gitopsDir, clock, branch: config.gitops.branch, remote: gitopsRemote && { ...gitopsRemote, timeoutMs: Math.max(config.httpTimeoutMs, 60_000) } });
  const dvc = await DvcWorkspace.open(workspaceDir, { remote: !allSandbox && config.dvcRemote ? { url: config.dvcRemote } : undefined });

  let sandbox: Sandbox | null = null;
  let listener: { url: string; close(): Promise<void> } | null = null;
  const needsSandbox = !config.systems.prometheusUrl || !config.systems.mlflow || !config.systems.h2oUrl || !config.systems.argocd;
  if (needsSandbox) {
    // The sandbox's world starts with its champion deployed, versioned and trained on the seed data.
    await seedDataset(dvc, scenario.dataset, { topics: [...scenario.topics], seed: 1 });
    const initialRevision = await gitops.initApp(scenario.app, environment, {
      model: { name: scenario.model, version: scenario.champion.version },
      canary: { enabled: false, version: null, weight: 0 },
      processors: scenario.processors,
    });
    sandbox = createSandbox({ scenario, clock: simulated, gitops, initialRevision });
    listener = await sandbox.listen({ host: "127.0.0.1", port: 0 });
  }
  const urls = sandbox && listener ? sandbox.urls(listener.url) : null;
  const timeoutMs = config.httpTimeoutMs;
  const mlflow = new MlflowClient({ baseUrl: config.systems.mlflow?.url ?? urls!.mlflow, token: config.systems.mlflow?.token, timeoutMs, clock });
  const detectors = new ServedDetectors(mlflow);
  const clients: ToolClients = {
    prometheus: new PrometheusClient({ baseUrl: config.systems.prometheusUrl ?? urls!.prometheus, timeoutMs }),
    mlflow,
    detectors,
    h2o: new H2oClient({ baseUrl: config.systems.h2oUrl ?? urls!.h2o, timeoutMs: Math.max(timeoutMs, 30_000), clock }),
    argocd: new ArgoCdClient({ baseUrl: config.systems.argocd?.url ?? urls!.argocd, token: config.systems.argocd?.token, timeoutMs, clock }),
    dvc,
    gitops,
    alertmanager: config.systems.alertmanagerUrl ? new AlertmanagerClient({ baseUrl: config.systems.alertmanagerUrl, timeoutMs }) : undefined,
    grafana: config.systems.grafana ? new GrafanaClient({ baseUrl: config.systems.grafana.url, token: config.systems.grafana.token, timeoutMs }) : undefined,
  };
  return {
    clients,
    clock,
    sandbox,
    sandboxUrl: listener?.url ?? null,
    allSandbox,
    close: async () => {
      await detectors.close();
      await listener?.close();
    },
  };
}

/** All-sandbox time: the world is anchored at the scenario's start and runs at the configured speed (or on the given clock). */
function sandboxTime(options: PlatformOptions): { scenario: Scenario; simulated: SimulatedClock } {
  const { scenario, config } = options;
  return { scenario, simulated: options.clock ?? new SimulatedClock({ start: new Date(scenario.start), speed: config.sandbox.speed }) };
}

/**
 * Mixed mode: a real system (Prometheus scraping the sandbox's /metrics, say) and the autopilot
 * read the wall clock, so the sandbox standing in for the others must too. Its world is re-anchored
 * at the wall clock's now and runs at speed 1: the scenario's timeline (an event at 10m, an alert
 * at 20m) counts from the platform's opening, and every instant the sandbox serves or stamps (the
 * metrics a scrape reads, Argo CD operations, MLflow runs) is a wall-clock instant. Advancing this
 * clock (the sandbox's control API, `advanceToAlert`) would put the sandbox ahead of the wall clock.
 */
function wallTime(scenario: Scenario): { scenario: Scenario; simulated: SimulatedClock } {
  const now = systemClock.now();
  return { scenario: { ...scenario, start: now.toISOString() }, simulated: new SimulatedClock({ start: now, speed: 1 }) };
}
