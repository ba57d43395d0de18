import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { Clock, Environment, ServiceCatalog, TriggerContract } from "../../core/index.js";
import { CHAT_READ_TOOLS, CHAT_REQUEST_TOOLS, chatModels } from "../../agents/index.js";
import { createChatGraph, DEFAULT_CHAT_LIMITS, type ChatGraphDeps } from "../../graphs/index.js";
import type { AuditPort, PolicyGate } from "../../policies/index.js";
import { REQUESTABLE_SIGNALS } from "../../tools/autopilot/index.js";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import type { Tracing } from "../tracing.js";
import type { ApprovalsRepo, ChatTurnsRepo } from "../store/index.js";
import { createRequestApprovals } from "./approvals.js";
import { createChatService, type ChatService } from "./service.js";

/** The parts of the running system the chat is built from (server/autopilot.ts has them all). */
export interface ChatParts {
  config: Pick<Config, "openai" | "approvalTtlMs" | "secrets">;
  gate: PolicyGate;
  checkpointer: BaseCheckpointSaver;
  approvals: ApprovalsRepo;
  /** The audit trail that also tells in-process listeners (live pages). */
  audit: AuditPort;
  environment: Environment;
  catalog: ServiceCatalog;
  contract: TriggerContract;
  clock: Clock;
  logger: Logger;
  /** Who is answering which conversation, shared by the replicas. */
  turns: ChatTurnsRepo;
  /** LangSmith tracing, when it is configured: each turn is traced. */
  tracing: Tracing | null;
}

/** Builds the chat: its model (the configured LLM, else the runbook), its graph on the shared checkpointer, and the service. */
export function composeChat(parts: ChatParts): ChatService {
  const models = chatModels(parts.config.openai);
  const deps: ChatGraphDeps = {
    gate: parts.gate,
    models,
    brief: chatBrief(parts.environment, parts.catalog, parts.contract),
    environment: parts.environment,
    clock: parts.clock,
    audit: parts.audit,
    approvals: createRequestApprovals({ approvals: parts.approvals, audit: parts.audit, clock: parts.clock, ttlMs: parts.config.approvalTtlMs }),
    tools: { read: CHAT_READ_TOOLS, request: CHAT_REQUEST_TOOLS },
    limits: DEFAULT_CHAT_LIMITS,
    checkpointer: parts.checkpointer,
  };
  return createChatService({
    graph: createChatGraph(deps),
    modelName: models.name,
    clock: parts.clock,
    logger: parts.logger,
    secrets: parts.config.secrets,
    turns: parts.turns,
    tracing: parts.tracing ?? undefined,
  });
}

/** The deployment's facts the chat's prompt carries: its environment, services and signals. */
function chatBrief(environment: Environment, catalog: ServiceCatalog, contract: TriggerContract): ChatGraphDeps["brief"] {
  const requestable = new Set<string>(REQUESTABLE_SIGNALS);
  return {
    environment,
    services: Object.entries(catalog).map(([service, s]) => ({ service, app: s.app, model: s.model, dataset: s.dataset })),
    signals: Object.entries(contract.signals).map(([signal, s]) => ({ signal, title: s.title, metric: s.metric, unit: s.unit, direction: s.direction, requestable: requestable.has(signal) })),
  };
}
