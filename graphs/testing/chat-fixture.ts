import { MemorySaver } from "@langchain/langgraph";
import { DEFAULT_SERVICE_CATALOG, parseTriggerContract, SimulatedClock, type Environment } from "../../core/index.js";
import { ALL_TOOLS, type ToolClients } from "../../tools/index.js";
import { fakeAutopilot, type FakeAutopilot } from "../../tools/autopilot/testing/fake-client.js";
import { createPolicyGate, type AuditEntry, type FlagSnapshot, type PolicyEngine } from "../../policies/index.js";
import { flagsFor } from "../../policies/testing/flags.js";
import { CHAT_READ_TOOLS, CHAT_REQUEST_TOOLS, type ChatModelProvider } from "../../agents/index.js";
import { createChatGraph, type ChatGraph } from "../chat-graph.js";
import { DEFAULT_CHAT_LIMITS, type ChatLimits } from "../chat-routes.js";

/** How a test's chat graph is set up. */
export interface ChatFixtureOptions {
  engine: PolicyEngine;
  models: ChatModelProvider;
  environment?: Environment;
  flags?: Partial<FlagSnapshot>;
  limits?: Partial<ChatLimits>;
}

/** A chat graph for tests, with what it did. */
export interface ChatFixture {
  graph: ChatGraph;
  clock: SimulatedClock;
  /** The autopilot's records, in memory. */
  fake: FakeAutopilot;
  /** Every audit entry, in order. */
  audit: AuditEntry[];
  /** Every approval request opened. */
  opened: Array<Record<string, unknown>>;
}

/** A chat graph over the real gate and `engine` (the shipped policies), the autopilot's records in memory, a MemorySaver. */
export function chatFixture(options: ChatFixtureOptions): ChatFixture {
  const contract = parseTriggerContract();
  const fake = fakeAutopilot();
  const audit: AuditEntry[] = [];
  const opened: Array<Record<string, unknown>> = [];
  const environment = options.environment ?? "production";
  const clock = new SimulatedClock({ start: new Date("2026-11-20T10:00:00Z") });
  const auditPort = { append: async (e: AuditEntry) => (audit.push(e), { seq: audit.length, hash: "" }) };
  const gate = createPolicyGate({
    engine: options.engine,
    tools: ALL_TOOLS,
    clients: { autopilot: fake.client } as unknown as ToolClients,
    audit: auditPort,
    approvals: { consume: async () => null },
    flags: { forEnvironment: async () => flagsFor(options.flags) },
    quotas: { state: async () => ({ cycles: 0, spentUsd: 0, holdsSlot: false }), reserveCycleSlot: async () => ({ ok: true, used: 1 }), reserveSpend: async () => ({ ok: true, used: 0 }), reservedBy: async () => 0 },
    contract: async () => contract,
    clock,
    sandbox: true,
    cycleBudgetUsd: 5,
  });
  const graph = createChatGraph({
    gate,
    models: options.models,
    brief: {
      environment,
      services: Object.entries(DEFAULT_SERVICE_CATALOG).map(([service, s]) => ({ service, ...s })),
      signals: Object.entries(contract.signals).map(([signal, s]) => ({ signal, title: s.title, metric: s.metric, unit: s.unit, direction: s.direction, requestable: signal !== "detector_drift" })),
    },
    environment,
    clock,
    audit: auditPort,
    approvals: {
      open: async (request) => {
        opened.push(request);
        return { id: `ap_${opened.length}`, expiresAt: new Date("2026-11-20T11:00:00Z") };
      },
    },
    tools: { read: CHAT_READ_TOOLS, request: CHAT_REQUEST_TOOLS },
    limits: { ...DEFAULT_CHAT_LIMITS, ...options.limits },
    checkpointer: new MemorySaver(),
  });
  return { graph, clock, fake, audit, opened };
}
