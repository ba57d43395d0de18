import type { EventEmitter } from "node:events";
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import { OUTCOMES, errorMessage } from "../core/index.js";
import type { AuditEvent } from "./autopilot.js";
import type { Logger } from "./logger.js";

/** The server's own Prometheus metrics. */
export interface ServerMetrics {
  /** This app's registry (HTTP, cycles, tools, decisions); process metrics are added by `render`. */
  registry: Registry;
  /** Records one answered HTTP request; `route` is the matched route pattern, never the raw path. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** Counts what one audit event says: a cycle's outcome, a tool call, a policy decision. */
  observeAudit(event: AuditEvent): Promise<void>;
  /** The text exposition of the process metrics and this app's. */
  render(): Promise<string>;
  /** The exposition's media type. */
  contentType: string;
  /** Stops listening to the audit events. */
  close(): void;
}

/** What the metrics read beside the events. */
export interface MetricsDeps {
  /** Emits "audit" with every AuditEvent this process appends. */
  events: EventEmitter;
  /** Whether a tool name is a known tool (others are counted as "unknown": a model may invent names). */
  isTool(name: string): boolean;
  /** When a cycle started, for one that started before this process did (a resumed cycle). */
  cycleStartedAt(cycleId: string): Promise<Date | null>;
  logger: Logger;
}

/**
 * Process metrics (CPU, memory, event loop, GC) describe the process, not an app: they are registered
 * once per process, whereas each app has its own registry so that tests and the eval runner can build
 * many apps in one process without their counters colliding.
 */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

const TOOL_RESULTS = new Set(["success", "no_data", "error"]);
const DECISIONS = new Set(["allow", "deny", "require_approval"]);
const OPEN_CYCLES_KEPT = 10_000;

/** Creates an app's metrics and feeds them from the audit events. */
export function createMetrics(deps: MetricsDeps): ServerMetrics {
  const registry = new Registry();
  const httpRequests = new Counter({ name: "autopilot_http_requests_total", help: "HTTP requests answered, by method, matched route and status.", labelNames: ["method", "route", "status"], registers: [registry] });
  const httpDuration = new Histogram({
    name: "autopilot_http_request_duration_seconds",
    help: "Time to the response's headers (a stream's lifetime is not counted), by method, route and status.",
    labelNames: ["method", "route", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const cycles = new Counter({ name: "autopilot_cycles_total", help: "Cycles finished, by outcome.", labelNames: ["outcome"], registers: [registry] });
  const cycleDuration = new Histogram({
    name: "autopilot_cycle_duration_seconds",
    help: "From a cycle's start to its end on the platform's clock (waits for approvals, A/B tests and watches included), by outcome.",
    labelNames: ["outcome"],
    buckets: [30, 60, 300, 600, 1200, 1800, 3600, 7200, 14_400, 28_800, 86_400],
    registers: [registry],
  });
  const toolCalls = new Counter({
    name: "autopilot_tool_calls_total",
    help: "Tool calls by tool and result: success, no_data or error when the tool ran; invalid or refused when it was stopped before a decision (policy outcomes are in autopilot_policy_decisions_total).",
    labelNames: ["tool", "result"],
    registers: [registry],
  });
  const toolDuration = new Histogram({
    name: "autopilot_tool_call_duration_seconds",
    help: "How long the tools that ran took, by tool.",
    labelNames: ["tool"],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const decisions = new Counter({
    name: "autopilot_policy_decisions_total",
    help: "Policy gate decisions on tool calls, by outcome (allow, deny, require_approval: a call put to an operator, counted once).",
    labelNames: ["outcome"],
    registers: [registry],
  });
  // Zero series for the known label values, so that rate() sees the first increment.
  for (const outcome of OUTCOMES) cycles.inc({ outcome }, 0);
  for (const outcome of DECISIONS) decisions.inc({ outcome }, 0);

  const started = new Map<string, number>();
  // A call put to an operator shows as an approval request, and also as a decision when the gate
  // itself answered require_approval (the chat's path): counted once by its call hash.
  const putToOperator = new Set<string>();
  const requireApproval = (callHash: unknown) => {
    if (typeof callHash === "string") {
      if (putToOperator.has(callHash)) return;
      if (putToOperator.size >= OPEN_CYCLES_KEPT) putToOperator.delete(putToOperator.values().next().value!);
      putToOperator.add(callHash);
    }
    decisions.inc({ outcome: "require_approval" });
  };
  const toolLabel = (name: string | undefined) => (name && deps.isTool(name) ? name : "unknown");

  async function observeAudit(event: AuditEvent): Promise<void> {
    switch (event.kind) {
      case "cycle_started":
        if (event.cycleId) {
          if (started.size >= OPEN_CYCLES_KEPT) started.delete(started.keys().next().value!);
          started.set(event.cycleId, event.at.getTime());
        }
        return;
      case "cycle_finished": {
        const outcome = (OUTCOMES as readonly string[]).includes(event.decision ?? "") ? event.decision! : "unknown";
        cycles.inc({ outcome });
        if (!event.cycleId) return;
        const start = started.get(event.cycleId) ?? (await deps.cycleStartedAt(event.cycleId))?.getTime();
        started.delete(event.cycleId);
        if (start !== undefined) cycleDuration.observe({ outcome }, Math.max(0, event.at.getTime() - start) / 1000);
        return;
      }
      case "policy_decision":
        if (event.decision === "require_approval") requireApproval((event.data as { call_hash?: unknown } | null)?.call_hash);
        else decisions.inc({ outcome: DECISIONS.has(event.decision ?? "") ? event.decision! : "unknown" });
        return;
      case "approval_requested":
        requireApproval((event.data as { call_hash?: unknown } | null)?.call_hash);
        return;
      case "tool_result": {
        const tool = toolLabel(event.tool);
        toolCalls.inc({ tool, result: TOOL_RESULTS.has(event.decision ?? "") ? event.decision! : "unknown" });
        const ms = (event.data as { duration_ms?: unknown } | null)?.duration_ms;
        if (typeof ms === "number") toolDuration.observe({ tool }, ms / 1000);
        return;
      }
      case "tool_call_invalid":
        toolCalls.inc({ tool: toolLabel(event.tool), result: "invalid" });
        return;
      case "tool_call_refused":
        toolCalls.inc({ tool: toolLabel(event.tool), result: "refused" });
        return;
    }
  }

  const listener = (event: AuditEvent) => {
    observeAudit(event).catch((error: unknown) => deps.logger.warn({ err: errorMessage(error), kind: event.kind }, "metrics could not count an audit event"));
  };
  deps.events.on("audit", listener);
  return {
    registry,
    observeRequest(method, route, status, seconds) {
      const labels = { method, route, status: String(status) };
      httpRequests.inc(labels);
      httpDuration.observe(labels, seconds);
    },
    observeAudit,
    async render() {
      return `${await processMetrics().metrics()}\n${await registry.metrics()}`;
    },
    contentType: registry.contentType,
    close() {
      deps.events.off("audit", listener);
    },
  };
}
