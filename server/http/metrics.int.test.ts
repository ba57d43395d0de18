import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenario } from "../../evals/sandbox/index.js";
import { startHarness, type Harness } from "../testing/harness.js";

let h: Harness;
beforeAll(async () => {
  // In staging the promotion waits for an operator: the approval goes through the API too.
  h = await startHarness({ scenario: { ...loadScenario("ndcg-drop"), environment: "staging" } });
});
afterAll(async () => h?.close());

/** The samples of a text exposition, `name{labels}` -> value. */
async function scrape(): Promise<Map<string, number>> {
  const res = await h.api("GET", "/metrics", h.tokens.viewer);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split("\n")) {
    const match = /^([a-z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/i.exec(line);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}
const sum = (samples: Map<string, number>, prefix: string, ...labels: string[]) =>
  [...samples].filter(([k]) => k.startsWith(`${prefix}{`) && labels.every((l) => k.includes(l))).reduce((n, [, v]) => n + v, 0);

describe("GET /metrics", () => {
  it("needs a principal", async () => {
    expect((await h.api("GET", "/metrics")).status).toBe(401);
    expect((await h.api("GET", "/metrics", "apt_wrong")).status).toBe(401);
  });

  it("counts a sandbox cycle: its outcome and duration, its tool calls and their latency, its policy decisions, the webhook's request", async () => {
    const before = await scrape();
    expect(before.get('autopilot_cycles_total{outcome="promoted"}')).toBe(0);
    expect(before.get("process_cpu_user_seconds_total")).toBeGreaterThan(0);
    const cycle = await h.runScenario();
    expect(cycle.outcome).toBe("promoted");
    const after = await scrape();

    expect(after.get('autopilot_cycles_total{outcome="promoted"}')).toBe(1);
    expect(after.get('autopilot_cycle_duration_seconds_count{outcome="promoted"}')).toBe(1);
    // The A/B test and the watch alone take more than an hour of the platform's time.
    expect(after.get('autopilot_cycle_duration_seconds_sum{outcome="promoted"}')).toBeGreaterThan(3600);
    const audit = await h.ap.store.audit.list({ cycleId: cycle.id, limit: 5000 });
    const results = audit.filter((r) => r.kind === "tool_result");
    expect(results.length).toBeGreaterThan(5);
    expect(sum(after, "autopilot_tool_calls_total")).toBe(results.length);
    const firstTool = results[0]!.tool!;
    expect(sum(after, "autopilot_tool_calls_total", `tool="${firstTool}"`, 'result="success"')).toBe(results.filter((r) => r.tool === firstTool && r.decision === "success").length);
    expect(sum(after, "autopilot_tool_call_duration_seconds_count")).toBe(results.length);
    const decisions = audit.filter((r) => r.kind === "policy_decision");
    expect(after.get('autopilot_policy_decisions_total{outcome="allow"}')).toBe(decisions.filter((d) => d.decision === "allow").length);
    expect(after.get('autopilot_policy_decisions_total{outcome="allow"}')).toBeGreaterThan(5);
    // The promotion was put to an operator before it ran (a pre-flight check and an approval request).
    expect(after.get('autopilot_policy_decisions_total{outcome="require_approval"}')).toBe(audit.filter((r) => r.kind === "approval_requested").length);
    expect(after.get('autopilot_policy_decisions_total{outcome="require_approval"}')).toBeGreaterThan(0);
    expect(sum(after, "autopilot_http_requests_total", 'route="/api/v1/alerts/alertmanager"', 'status="202"')).toBe(1);
    expect(sum(after, "autopilot_http_requests_total", 'route="/api/v1/approvals/:id/approve"', 'status="200"')).toBeGreaterThan(0);
    expect(sum(after, "autopilot_http_request_duration_seconds_count", 'route="/metrics"', 'status="200"')).toBe(1);
  });
});
