import type { SimulatedClock } from "../../core/index.js";
import { buildAlertPayload, type AlertmanagerWebhook } from "./alerts.js";
import { createArgoApi } from "./argocd/api.js";
import { ArgoApplication } from "./argocd/application.js";
import { createControlApi } from "./control-api.js";
import { parseDuration } from "./duration.js";
import type { GitOpsReader, GitOpsValues } from "./gitops.js";
import { createH2oApi } from "./h2o/api.js";
import { H2oStore } from "./h2o/store.js";
import { createMlflowApi } from "./mlflow/api.js";
import { RegistryStore } from "./mlflow/registry-store.js";
import { TrackingStore } from "./mlflow/tracking-store.js";
import { createPrometheusApi } from "./prometheus/api.js";
import { workersFromValues } from "./processors.js";
import { renderExposition } from "./prometheus/exposition.js";
import { createRandom } from "./random.js";
import type { Scenario } from "./scenario.js";
import { seedChampion } from "./seed.js";
import { createSandboxApp, listenOn, type SandboxListener } from "./server.js";
import { sandboxState, type SandboxState } from "./state.js";
import { createSeriesSource } from "./world/series.js";
import { World, type WorldModel } from "./world/world.js";

/** What a sandbox is made from. */
export interface SandboxOptions {
  scenario: Scenario;
  /** Simulated time, shared with the graph; it should read `scenario.start` at creation. */
  clock: SimulatedClock;
  /** Reads GitOps values at a revision (Argo CD applies them on sync). */
  gitops: GitOpsReader;
  /** The GitOps revision deployed at start (Argo CD history entry 1). */
  initialRevision: string;
  /** When set, the Argo CD API requires `Authorization: Bearer <token>`. */
  argocdToken?: string;
  /** When set, the MLflow API requires `Authorization: Bearer <token>`. */
  mlflowToken?: string;
  /** Waits real milliseconds for `slow` faults (default: setTimeout). */
  realSleep?: (ms: number) => Promise<void>;
}

/** Base URLs of each system of a listening sandbox, as the tool clients take them. */
export interface SandboxUrls {
  prometheus: string;
  mlflow: string;
  h2o: string;
  argocd: string;
  metrics: string;
}

/** The simulated ML platform: its HTTP APIs, its state, and the alerts its scenario raises. */
export interface Sandbox {
  readonly scenario: Scenario;
  readonly clock: SimulatedClock;
  /** The whole API as a fetch handler. */
  fetch(request: Request): Promise<Response>;
  /** Serves the API on a local port. */
  listen(options?: { port?: number; host?: string }): Promise<SandboxListener>;
  /** The base URL of each system under `baseUrl`. */
  urls(baseUrl: string): SandboxUrls;
  /** Serving versions, ETL workers, metric values now, models and the timeline. */
  state(): SandboxState;
  /** The Alertmanager webhook payload of the scenario's alert `index`, as of now. */
  alertPayload(index?: number): AlertmanagerWebhook;
  /** Advances the clock to the time of alert `index` (no-op when it has passed). */
  advanceToAlert(index?: number): void;
  /** POSTs the payload of every alert whose time has come to `webhookUrl`; returns the responses in order. */
  raiseAlerts(webhookUrl: string, options?: { headers?: Record<string, string> }): Promise<Response[]>;
}

/** Creates a sandbox world for a scenario, with the champion seeded in every system. */
export function createSandbox(options: SandboxOptions): Sandbox {
  const { scenario, clock } = options;
  const world = new World(scenario, clock);
  const now = () => world.now();
  const random = createRandom(world.seed);
  const source = createSeriesSource(world);
  const tracking = new TrackingStore(now, random);
  const registry = new RegistryStore(now);
  const h2o = new H2oStore(now, random);
  seedChampion(world, h2o, tracking, registry);

  // A deployed version is linked to its H2O model by the version's h2o_model_id tag, else its run's, else by key convention.
  const resolve = (name: string, version: string): WorldModel | undefined => {
    let key = registry.versionTag(name, version, "h2o_model_id");
    if (!key) {
      const runId = registryRun(registry, name, version);
      key = runId ? (tracking.runField(runId, "tags", "h2o_model_id") ?? tracking.runField(runId, "params", "h2o_model_id")) : undefined;
    }
    return world.modelForKey(key ?? `${name}-v${version}`);
  };
  const apply = (values: GitOpsValues, revision: string, kind: "sync" | "rollback"): string | null => {
    const champion = resolve(values.model.name, values.model.version);
    if (!champion) return `model ${values.model.name} version ${values.model.version} is not in the model registry or has no H2O model`;
    const { enabled, version, weight } = values.canary;
    let canary = null;
    if (enabled) {
      const model = version === null ? undefined : resolve(values.model.name, version);
      if (!model || version === null) return `canary model ${values.model.name} version ${String(version)} is not in the model registry or has no H2O model`;
      canary = { version, modelId: model.id };
    }
    const processors = workersFromValues(values.processors);
    if ("problem" in processors) return processors.problem;
    const state = { champion: { version: values.model.version, modelId: champion.id }, canary, canaryWeight: canary ? Math.min(100, Math.max(0, weight)) : 0 };
    world.deploy(state, `argocd ${kind} to ${revision}`, processors.workers);
    return null;
  };
  const application = new ArgoApplication({ name: scenario.app, environment: scenario.environment, initialRevision: options.initialRevision, gitops: options.gitops, now, apply }, scenario.champion.version);
  const state = () => sandboxState(world, source, application);

  const app = createSandboxApp({
    prometheus: createPrometheusApi({ source, now }),
    mlflow: createMlflowApi({ tracking, registry, token: options.mlflowToken }),
    h2o: createH2oApi({ store: h2o, world, random }),
    argocd: createArgoApi({ applications: new Map([[scenario.app, application]]), token: options.argocdToken }),
    control: createControlApi({ state, advance: (ms) => clock.advance(ms) }),
    metrics: () => renderExposition(source, now()),
    faults: { faults: scenario.faults, startMs: world.startMs, now, realSleep: options.realSleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))) },
  });
  const fetchHandler = async (request: Request): Promise<Response> => app.fetch(request);
  const alertAt = (index: number) => {
    const alert = scenario.alerts[index];
    if (!alert) throw new RangeError(`scenario ${scenario.name} has no alert ${index} (it has ${scenario.alerts.length})`);
    return { alert, at: world.startMs + parseDuration(alert.at) };
  };

  return {
    scenario,
    clock,
    fetch: fetchHandler,
    listen: ({ port = 0, host = "127.0.0.1" } = {}) => listenOn(fetchHandler, port, host),
    urls(baseUrl) {
      const base = baseUrl.replace(/\/+$/, "");
      return { prometheus: `${base}/prometheus`, mlflow: `${base}/mlflow`, h2o: `${base}/h2o`, argocd: `${base}/argocd`, metrics: `${base}/metrics` };
    },
    state,
    alertPayload: (index = 0) => buildAlertPayload(scenario, source, alertAt(index).alert, now()),
    advanceToAlert(index = 0) {
      const wait = alertAt(index).at - now();
      if (wait > 0) clock.advance(wait);
    },
    async raiseAlerts(webhookUrl, { headers = {} } = {}) {
      const responses: Response[] = [];
      for (const [index] of scenario.alerts.entries()) {
        if (alertAt(index).at > now()) continue;
        const body = JSON.stringify(buildAlertPayload(scenario, source, alertAt(index).alert, now()));
        responses.push(await fetch(webhookUrl, { method: "POST", headers: { "content-type": "application/json", ...headers }, body }));
      }
      return responses;
    },
  };
}

function registryRun(registry: RegistryStore, name: string, version: string): string | undefined {
  try {
    return registry.getVersion(name, version).run_id || undefined;
  } catch {
    return undefined;
  }
}

