import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import type { AuditEvent } from "./autopilot.js";
import { createLogger } from "./logger.js";
import { createMetrics } from "./metrics.js";

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 20, 8, minutes));
const event = (e: Partial<AuditEvent> & { kind: string }): AuditEvent => ({ at: at(0), cycleId: "si_2026_11_20_001", actor: { type: "Agent", id: "x" }, data: {}, seq: 1, ...e });

function setUp(startedBefore: Date | null = null) {
  const events = new EventEmitter();
  const asked: string[] = [];
  const metrics = createMetrics({
    events,
    isTool: (name) => name === "prometheus_query_range",
    cycleStartedAt: async (id) => {
      asked.push(id);
      return startedBefore;
    },
    logger: createLogger({ level: "silent" }),
  });
  const value = async (name: string, labels: Record<string, string> = {}) => {
    // A histogram's series are named by metricName (x_sum, x_count) under the histogram's name.
    const values = (await metrics.registry.getMetricsAsJSON()).flatMap((m) => m.values.map((v) => ({ ...v, metricName: (v as { metricName?: string }).metricName ?? m.name })));
    return values.find((v) => v.metricName === name && Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
  };
  return { events, metrics, value, asked };
}

describe("server metrics", () => {
  it("count cycle outcomes with their duration, tool calls by tool and result, and decisions by outcome", async () => {
    const { metrics, value } = setUp();
    await metrics.observeAudit(event({ kind: "cycle_started", at: at(0) }));
    await metrics.observeAudit(event({ kind: "policy_decision", tool: "prometheus_query_range", decision: "allow" }));
    await metrics.observeAudit(event({ kind: "policy_decision", tool: "argocd_sync_application", decision: "require_approval", data: { call_hash: "h1" } }));
    // The same call's approval request is the same decision; another call's is another.
    await metrics.observeAudit(event({ kind: "approval_requested", tool: "argocd_sync_application", decision: "require_approval", data: { call_hash: "h1" } }));
    await metrics.observeAudit(event({ kind: "approval_requested", tool: "mlflow_set_model_alias", decision: "require_approval", data: { call_hash: "h2" } }));
    await metrics.observeAudit(event({ kind: "tool_result", tool: "prometheus_query_range", decision: "success", data: { duration_ms: 120 } }));
    await metrics.observeAudit(event({ kind: "tool_result", tool: "prometheus_query_range", decision: "error", data: { duration_ms: 2000 } }));
    await metrics.observeAudit(event({ kind: "tool_call_refused", tool: "ignore_previous_instructions", decision: "deny" }));
    await metrics.observeAudit(event({ kind: "tool_call_invalid", tool: "prometheus_query_range", decision: "deny" }));
    await metrics.observeAudit(event({ kind: "cycle_finished", at: at(45), decision: "promoted" }));

    expect(await value("autopilot_cycles_total", { outcome: "promoted" })).toBe(1);
    expect(await value("autopilot_cycles_total", { outcome: "rolled_back" })).toBe(0);
    expect(await value("autopilot_cycle_duration_seconds_sum", { outcome: "promoted" })).toBe(2700);
    expect(await value("autopilot_policy_decisions_total", { outcome: "allow" })).toBe(1);
    expect(await value("autopilot_policy_decisions_total", { outcome: "require_approval" })).toBe(2);
    expect(await value("autopilot_tool_calls_total", { tool: "prometheus_query_range", result: "success" })).toBe(1);
    expect(await value("autopilot_tool_calls_total", { tool: "prometheus_query_range", result: "error" })).toBe(1);
    expect(await value("autopilot_tool_calls_total", { tool: "prometheus_query_range", result: "invalid" })).toBe(1);
    // A name the model made up is not a label value of its own.
    expect(await value("autopilot_tool_calls_total", { tool: "unknown", result: "refused" })).toBe(1);
    expect(await value("autopilot_tool_call_duration_seconds_sum", { tool: "prometheus_query_range" })).toBeCloseTo(2.12);
    expect(await value("autopilot_tool_call_duration_seconds_count", { tool: "prometheus_query_range" })).toBe(2);
  });

  it("asks when a cycle it did not see start began, and listens to the autopilot's audit events until closed", async () => {
    const { events, metrics, value, asked } = setUp(at(10));
    events.emit("audit", event({ kind: "cycle_finished", at: at(40), decision: "rolled_back" }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toEqual(["si_2026_11_20_001"]);
    expect(await value("autopilot_cycle_duration_seconds_sum", { outcome: "rolled_back" })).toBe(1800);
    metrics.close();
    events.emit("audit", event({ kind: "cycle_finished", at: at(40), decision: "rolled_back" }));
    expect(await value("autopilot_cycles_total", { outcome: "rolled_back" })).toBe(1);
  });

  it("renders the app's metrics after the process metrics, per app", async () => {
    const one = setUp();
    const two = setUp();
    one.metrics.observeRequest("GET", "/api/v1/cycles/:id", 200, 0.02);
    const text = await one.metrics.render();
    expect(text).toContain("process_cpu_user_seconds_total");
    expect(text).toContain('autopilot_http_requests_total{method="GET",route="/api/v1/cycles/:id",status="200"} 1');
    expect(await two.metrics.render()).not.toContain('route="/api/v1/cycles/:id"');
  });
});
