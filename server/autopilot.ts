import { randomBytes } from "node:crypto";
import path from "node:path";
import { EventEmitter } from "node:events";
import { DEFAULT_SERVICE_CATALOG, systemClock, withGateOverrides, type Environment, type ServiceCatalog, type SimulatedClock, type TriggerContract } from "../core/index.js";
import { ALL_TOOLS } from "../tools/index.js";
import { createPolicyGate, DEFAULT_POLICY_DIR, loadPolicyEngine, type AuditEntry, type AuditPort, type PolicyEngine, type PolicyGate } from "../policies/index.js";
import { createParaphraser, openAiProvider, runbookProvider, TEAM, type ModelProvider } from "../agents/index.js";
import { createCycleGraph, DEFAULT_LIMITS, type CycleGraph, type CycleLimits } from "../graphs/index.js";
import { loadScenario, type Scenario } from "../evals/sandbox/index.js";
import type { Config } from "./config.js";
import { createLogger, type Logger } from "./logger.js";
import { openPlatform, type Platform } from "./platform.js";
import { createCycleRunner, type CycleRunner } from "./cycle-runner.js";
import { approvalAnswer } from "./approvals.js";
import { createTracing, type Tracing } from "./tracing.js";
import { createAnomalyMonitor, monitoredSeries, type AnomalyMonitor } from "./anomaly-monitor.js";
import { startDriftCycle } from "./alerts/drift-alert.js";
import { createAutopilotClient } from "./autopilot-client.js";
import { composeChat, type ChatService } from "./chat/index.js";
import {
  createAlertsRepo,
  createAnomalyMonitorRepo,
  createApprovalsRepo,
  createChatTurnsRepo,
  createArtifactsRepo,
  createAuditRepo,
  createCheckpointer,
  createCyclesRepo,
  createFlagsRepo,
  createGateOverridesRepo,
  createGateStateRepo,
  createQuotasRepo,
  createTokensRepo,
  migrate,
  openDatabase,
  type Database,
} from "./store/index.js";

/** The repositories of the store. */
export interface Store {
  alerts: ReturnType<typeof createAlertsRepo>;
  cycles: ReturnType<typeof createCyclesRepo>;
  audit: ReturnType<typeof createAuditRepo>;
  approvals: ReturnType<typeof createApprovalsRepo>;
  artifacts: ReturnType<typeof createArtifactsRepo>;
  flags: ReturnType<typeof createFlagsRepo>;
  quotas: ReturnType<typeof createQuotasRepo>;
  gateOverrides: ReturnType<typeof createGateOverridesRepo>;
  tokens: ReturnType<typeof createTokensRepo>;
  anomalies: ReturnType<typeof createAnomalyMonitorRepo>;
}

/** An audit row as published to in-process listeners (progress lines, live pages). */
export interface AuditEvent extends AuditEntry {
  seq: number | string;
}

/** The running system: everything the HTTP API, the CLI and the demo use. */
export interface Autopilot {
  config: Config;
  environment: Environment;
  logger: Logger;
  db: Database;
  store: Store;
  platform: Platform;
  engine: PolicyEngine;
  /** Where the active policy files come from. */
  policyDir: string;
  gate: PolicyGate;
  models: ModelProvider;
  graph: CycleGraph;
  runner: CycleRunner;
  /** Scores the watched series on its own timer; `serve` starts it. */
  monitor: AnomalyMonitor;
  contract: TriggerContract;
  /** The contract in force in an environment: the configured contract with admins' gate overrides. */
  contractFor(environment: Environment): Promise<TriggerContract>;
  catalog: ServiceCatalog;
  /** Emits "audit" with every AuditEvent appended by this process. */
  events: EventEmitter;
  /** The audit trail as the gate and the graphs write it: appends also reach `events` (live pages, metrics). */
  audit: AuditPort;
  /** The operators' chat with the supervisor (conversations on the checkpointer, so any replica continues one). */
  chat: ChatService;
  /** LangSmith tracing of cycles, when it is configured. */
  tracing: Tracing | null;
  /**
   * The bearer the webhook takes from Alertmanager: ALERTMANAGER_WEBHOOK_TOKEN when it is set, else a
   * secret generated for this process, which only its own senders (the sandbox's simulated
   * Alertmanager, the demo, the eval runner) know. Operators' API tokens are accepted too.
   */
  alertmanagerToken: string;
  close(): Promise<void>;
}

/** Options of the composition root (tests and the demo inject what they need). */
export interface AutopilotOptions {
  /** The sandbox world (default: the configured scenario). */
  scenario?: Scenario;
  /** An already opened database (tests). */
  db?: Database;
  /** The simulated clock of the sandbox (tests and the demo start it at the scenario's start). */
  clock?: SimulatedClock;
  /** The model provider (default: ChatOpenAI when configured, else the runbook). */
  models?: ModelProvider;
  logger?: Logger;
  limits?: CycleLimits;
  /** Extra run configuration per cycle, e.g. tracing callbacks. */
  runConfig?: Parameters<typeof createCycleRunner>[0]["runConfig"];
  /** An already opened platform, kept open on close (a restarted process sharing the same world in tests). */
  platform?: Platform;
}

/** Builds the whole system from the configuration. */
export async function createAutopilot(config: Config, options: AutopilotOptions = {}): Promise<Autopilot> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, secrets: config.secrets });
  const scenario = options.scenario ?? loadScenario(config.sandbox.scenario);
  const db = options.db ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: path.join(config.home, "pgdata"), logger }));
  await migrate(db);
  const store: Store = {
    alerts: createAlertsRepo(db),
    cycles: createCyclesRepo(db),
    audit: createAuditRepo(db),
    approvals: createApprovalsRepo(db),
    artifacts: createArtifactsRepo(db),
    flags: createFlagsRepo(db),
    quotas: createQuotasRepo(db),
    gateOverrides: createGateOverridesRepo(db),
    tokens: createTokensRepo(db),
    anomalies: createAnomalyMonitorRepo(db),
  };
  // The sandbox plays one environment; with real systems the configured one applies.
  const sandboxed = !config.systems.prometheusUrl || !config.systems.mlflow || !config.systems.h2oUrl || !config.systems.argocd;
  const environment: Environment = sandboxed ? scenario.environment : config.environment;
  const platform = options.platform ?? (await openPlatform({ config, environment, scenario, clock: options.clock }));
  // The defaults, or TRIGGER_CONTRACT_FILE merged over them (validated when the configuration loaded).
  const contract = config.contract;
  const catalog: ServiceCatalog = sandboxed ? { ...DEFAULT_SERVICE_CATALOG, [scenario.service]: { app: scenario.app, model: scenario.model, dataset: scenario.dataset } } : DEFAULT_SERVICE_CATALOG;

  // Admins' quality-gate overrides replace a signal's gate rules in one environment.
  const contractFor = async (env: Environment): Promise<TriggerContract> => withGateOverrides(contract, await store.gateOverrides.list(env));
  const events = new EventEmitter();
  // Every row written is announced to the live feeds of this process.
  const announced = <H extends { seq: number } | null>(entry: AuditEntry, head: H): H => {
    if (head) events.emit("audit", { ...entry, seq: head.seq } satisfies AuditEvent);
    return head;
  };
  const audit = {
    append: async (entry: AuditEntry) => announced(entry, await store.audit.append(entry)),
    appendIfState: async (entry: AuditEntry, stateVersion: number) => announced(entry, await store.audit.appendIfState(entry, stateVersion)),
  };
  const policyDir = config.policyDir ?? DEFAULT_POLICY_DIR;
  const engine = await loadPolicyEngine(policyDir, ALL_TOOLS);
  const gate = createPolicyGate({
    engine,
    tools: ALL_TOOLS,
    // The platform's systems, and the autopilot's own records for tools/autopilot (chat, MCP).
    clients: { ...platform.clients, autopilot: createAutopilotClient({ store, catalog, now: () => platform.clock.now(), groupWindowMs: config.alerts.groupWindowMs, wake: () => runner.wake() }) },
    audit,
    approvals: store.approvals,
    flags: store.flags,
    quotas: store.quotas,
    state: createGateStateRepo(db),
    contract: contractFor,
    clock: platform.clock,
    sandbox: platform.allSandbox,
    cycleBudgetUsd: config.cycleBudgetUsd,
    secrets: config.secrets,
    // With an LLM configured, augmented queries are paraphrased by it (templates otherwise).
    paraphrase: config.openai ? createParaphraser(config.openai) : undefined,
  });
  const models = options.models ?? (config.openai ? openAiProvider(config.openai) : runbookProvider());
  const checkpointer = await createCheckpointer(db);
  const graph = createCycleGraph({
    gate,
    models,
    team: TEAM,
    contract,
    clock: platform.clock,
    limits: options.limits ?? { ...DEFAULT_LIMITS, maxCostUsd: config.cycleBudgetUsd },
    flags: store.flags,
    audit,
    artifacts: store.artifacts,
    approvals: {
      async open(request) {
        const existing = await store.approvals.findOpen(request.cycleId, request.callHash);
        if (existing) return { id: existing.id, expiresAt: existing.expiresAt };
        const now = systemClock.now();
        const created = await store.approvals.create({ ...request, requestedAt: now, expiresAt: new Date(now.getTime() + config.approvalTtlMs) });
        await audit.append({
          at: platform.clock.now(),
          cycleId: request.cycleId,
          kind: "approval_requested",
          actor: { type: request.principal.type, id: request.principal.id },
          tool: request.tool,
          decision: "require_approval",
          data: { approval_id: created.id, reasons: request.reasons, call_hash: request.callHash, expires_at: created.expiresAt.toISOString() },
        });
        return { id: created.id, expiresAt: created.expiresAt };
      },
    },
    checkpointer,
  });
  const tracing = config.tracing.enabled && config.tracing.apiKey
    ? createTracing({ apiKey: config.tracing.apiKey, endpoint: config.tracing.endpoint, project: config.tracing.project, secrets: config.secrets })
    : null;
  const chat = composeChat({ config, gate, checkpointer, approvals: store.approvals, audit, environment, catalog, contract, clock: platform.clock, logger, turns: createChatTurnsRepo(db), tracing });
  const runner = createCycleRunner({
    cycles: store.cycles,
    graph,
    clock: platform.clock,
    catalog,
    logger,
    modelName: models.name,
    runConfig: options.runConfig ?? tracing?.runConfig,
    // A cycle's trace is sent before anyone is told the cycle settled.
    onSettled: tracing ? (cycle) => tracing.settled(cycle) : undefined,
    answerFor: (id) => approvalAnswer({ store }, id),
  });
  // Beside the runner, not in the graph: it keeps watching while a cycle runs or the graph is broken.
  const monitor = createAnomalyMonitor({
    gate,
    environment,
    audit,
    repo: store.anomalies,
    clock: platform.clock,
    logger: logger.child({ component: "anomaly-monitor" }),
    series: monitoredSeries(config.anomalyMonitor, catalog, contract),
    intervalMs: config.anomalyMonitor.intervalMs,
    windowMinutes: config.anomalyMonitor.windowMinutes,
    alertmanager: Boolean(config.systems.alertmanagerUrl),
    grafana: Boolean(config.systems.grafana),
    // A drifted detector is retrained by a detector_drift cycle, started like any alert's.
    onDrift: async (event) => {
      await startDriftCycle({ alerts: store.alerts, environment, now: () => platform.clock.now(), groupWindowMs: config.alerts.groupWindowMs, wake: () => runner.wake() }, event);
    },
  });
  return {
    config,
    environment,
    logger,
    db,
    store,
    platform,
    engine,
    policyDir,
    gate,
    models,
    graph,
    runner,
    monitor,
    contract,
    contractFor,
    catalog,
    events,
    audit,
    chat,
    tracing,
    alertmanagerToken: config.alerts.webhookToken ?? randomBytes(24).toString("base64url"),
    async close() {
      await monitor.stop();
      await runner.stop();
      if (!options.platform) await platform.close();
      if (!options.db) await db.close();
    },
  };
}
