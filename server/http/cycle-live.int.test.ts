import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../testing/harness.js";
import { SINK_PROJECT_ID, SINK_TENANT_ID, startLangSmithSink, type LangSmithSink } from "../testing/langsmith-sink.js";
import type { CycleRow } from "../store/index.js";
import { createSseParser, type SseEvent } from "../commands/api-client.js";

/** Reads a text/event-stream body until `enough` says stop or the stream ends; returns the events. */
async function readEvents(response: Response, enough: (events: SseEvent[]) => boolean = () => false): Promise<SseEvent[]> {
  const parser = createSseParser();
  const events: SseEvent[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    events.push(...parser.push(value));
    if (enough(events)) {
      await reader.cancel();
      break;
    }
  }
  return events;
}
const seqOf = (e: SseEvent) => (e.data as { seq: number }).seq;

describe("a cycle's timeline, chart and live events", () => {
  let h: Harness;
  let sink: LangSmithSink;
  let cycle: CycleRow;
  beforeAll(async () => {
    sink = await startLangSmithSink();
    // A deploy that degrades: the cycle deploys, watches, and rolls back.
    h = await startHarness({ scenario: "bad-deploy", env: { LANGSMITH_TRACING: "true", LANGSMITH_API_KEY: "lsv2_pt_test_0123456789", LANGSMITH_ENDPOINT: sink.url, LANGSMITH_PROJECT: "autopilot-tests" } });
    cycle = await h.runScenario();
  });
  afterAll(async () => {
    await h?.close();
    await sink?.close();
  });

  it("lists every tool call with its policy decision, reasons, result and duration, and links the LangSmith trace", async () => {
    const res = await h.api("GET", `/api/v1/cycles/${cycle.id}/timeline`, h.tokens.viewer);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { cycle: { id: string; outcome: string }; steps: Record<string, unknown>[]; trace_url: string | null };
    expect(body.cycle).toMatchObject({ id: cycle.id, outcome: "rolled_back" });
    const calls = body.steps.filter((s) => s.kind === "tool_call");
    const audit = await h.ap.store.audit.list({ cycleId: cycle.id, limit: 5000 });
    expect(calls).toHaveLength(audit.filter((e) => e.kind === "policy_decision").length);
    expect(calls.every((s) => s.decision === "allow" && typeof s.duration_ms === "number" && (s.reasons as string[]).length > 0)).toBe(true);
    const rollback = calls.find((s) => s.tool === "argocd_rollback_application")!;
    expect(rollback).toMatchObject({ agent: "devops", step: "rollback", status: "success" });
    expect(String(rollback.summary)).toContain("rolled back");
    expect(body.steps.at(-1)).toMatchObject({ kind: "cycle", decision: "rolled_back" });
    expect(body.trace_url).toMatch(new RegExp(`/o/${SINK_TENANT_ID}/projects/p/${SINK_PROJECT_ID}/r/[0-9a-f-]{36}\\?poll=true$`));
  });

  it("charts the trigger metric over the cycle with the flagged points and the alert, deploy and rollback marks", async () => {
    const res = await h.api("GET", `/api/v1/cycles/${cycle.id}/chart`, h.tokens.viewer);
    expect(res.status).toBe(200);
    const chart = (await res.json()) as { metric: { signal: string; query: string }; unavailable: string | null; window: { start: string; end: string }; series: { t: string; v: number }[]; anomalies: unknown[]; marks: { kind: string; t: string }[] };
    expect(chart.unavailable).toBeNull();
    expect(chart.metric).toMatchObject({ signal: "ndcg_drop", query: 'search:ndcg_at_10{service="search",variant=~"all|"}' });
    expect(chart.series.length).toBeGreaterThan(100);
    expect(chart.series.every((p) => Number.isFinite(p.v) && p.v > 0 && p.v < 1)).toBe(true);
    expect(chart.anomalies.length).toBeGreaterThan(0);
    expect(chart.marks.map((m) => m.kind)).toEqual(["alert", "deploy", "deploy", "rollback"]);
    // Every mark falls inside the charted window.
    for (const m of chart.marks) expect(m.t >= chart.window.start && m.t <= chart.window.end, `${m.kind} at ${m.t}`).toBe(true);
    // The series was read through the gate as the viewer, outside the cycle's own trail.
    const reads = (await h.ap.store.audit.list({ limit: 5000 })).filter((e) => e.cycleId === null && e.tool === "prometheus_query_range");
    expect(reads.map((e) => [e.kind, e.actor.id])).toEqual([
      ["policy_decision", "victor"],
      ["tool_result", "victor"],
    ]);
  });

  it("replays a finished cycle's entries as events, resumes after Last-Event-ID, and ends", async () => {
    const all = await readEvents(await h.api("GET", `/api/v1/cycles/${cycle.id}/events`, h.tokens.viewer));
    const audit = all.filter((e) => e.event === "audit");
    expect(audit.length).toBeGreaterThan(40);
    expect(all.filter((e) => e.event === "cycle").map((e) => (e.data as { status: string }).status)).toEqual(["completed"]);
    expect(all.at(-1)).toEqual({ event: "end", data: { reason: "settled" } });
    const resumed = await fetch(`${h.url}/api/v1/cycles/${cycle.id}/events`, { headers: { authorization: `Bearer ${h.tokens.viewer}`, "last-event-id": String(seqOf(audit[audit.length - 3]!)) } });
    expect((await readEvents(resumed)).filter((e) => e.event === "audit").map(seqOf)).toEqual(audit.slice(-2).map(seqOf));
  });

  it("answers 400 for a malformed id and 404 for an unknown cycle", async () => {
    expect((await h.api("GET", "/api/v1/cycles/nope/timeline", h.tokens.viewer)).status).toBe(400);
    expect((await h.api("GET", "/api/v1/cycles/si_2020_01_01_001/chart", h.tokens.viewer)).status).toBe(404);
  });

  it("streams the cycle of a new alert as it starts, on the console's event feed", async () => {
    const res = await h.api("GET", "/api/v1/events", h.tokens.viewer);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reading = readEvents(res, (events) => events.some((e) => e.event === "cycle"));
    await new Promise((r) => setTimeout(r, 300));
    const sandbox = h.ap.platform.sandbox!;
    const payload = sandbox.alertPayload(0) as { alerts: { labels: Record<string, string> }[] };
    // Another alert (another fingerprint), so it is not folded into the finished cycle's group.
    payload.alerts[0]!.labels.replica = "b";
    const started = (await (await h.webhook(payload)).json()) as { cycles_started: string[] };
    const events = await reading;
    expect(events[0]!.event).toBe("ready");
    const view = events.find((e) => e.event === "cycle")!.data as { id: string; status: string };
    expect(view).toMatchObject({ id: started.cycles_started[0], status: "queued" });
  });
});
