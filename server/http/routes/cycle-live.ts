import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import type { Autopilot } from "../../autopilot.js";
import { buildTimeline } from "../../cycle-timeline.js";
import { buildCycleChart, type CycleChart } from "../../cycle-chart.js";
import { createLiveFeed, followCycle } from "../../live-feed.js";
import type { AuditRow } from "../../store/index.js";
import { principalOf, type Guards } from "../auth.js";
import { errorResponses, jsonContent } from "../openapi.js";
import { CycleIdParams, cycleOr404, CycleViewSchema, cycleView } from "./cycles.js";

const TimelineStep = z
  .object({
    seq: z.number(),
    at: z.string(),
    kind: z.enum(["cycle", "supervisor", "tool_call", "approval", "step"]),
    agent: z.string(),
    step: z.string().nullable(),
    tool: z.string().nullable(),
    decision: z.string().nullable().describe("the policy decision of a tool call (allow, deny, require_approval), or what a supervisor or human decided"),
    reasons: z.array(z.string()),
    status: z.string().describe("for a tool call: success, no_data, error, denied, awaiting_approval, running, refused, invalid"),
    summary: z.string(),
    input: z.unknown(),
    duration_ms: z.number().nullable(),
    approval_id: z.string().nullable(),
  })
  .openapi("TimelineStep");

const Timeline = z.object({ cycle: CycleViewSchema, steps: z.array(TimelineStep), trace_url: z.string().nullable() }).openapi("CycleTimeline");

const Chart = z
  .object({
    metric: z.object({ service: z.string(), signal: z.string(), title: z.string(), query: z.string() }).nullable(),
    unavailable: z.string().nullable().describe("why there is no series, when there is none"),
    window: z.object({ start: z.string(), end: z.string(), step_seconds: z.number() }).nullable(),
    series: z.array(z.object({ t: z.string(), v: z.number() })),
    anomalies: z.array(z.object({ t: z.string(), v: z.number(), score: z.number() })),
    marks: z.array(z.object({ t: z.string(), kind: z.enum(["alert", "deploy", "rollback", "approval"]), label: z.string() })),
  })
  .openapi("CycleChart");

const eventStream = (description: string) => ({ 200: { description, content: { "text/event-stream": { schema: z.string() } } } });

// Every route here reads one cycle, named in the path.
const ofOneCycle = { method: "get" as const, tags: ["cycles"], request: { params: CycleIdParams } };
const routes = {
  timeline: createRoute({
    ...ofOneCycle,
    path: "/{id}/timeline",
    summary: "A cycle's timeline: every step, tool call, policy decision with its reasons, result and duration",
    responses: { 200: jsonContent(Timeline, "The timeline."), ...errorResponses(400, 404) },
  }),
  chart: createRoute({
    ...ofOneCycle,
    path: "/{id}/chart",
    summary: "The trigger metric around the cycle, the points the anomaly detector flagged, and the alert, deploy, approval and rollback marks",
    responses: { 200: jsonContent(Chart, "The chart's data."), ...errorResponses(400, 404) },
  }),
  events: createRoute({
    ...ofOneCycle,
    path: "/{id}/events",
    summary: "Server-sent events while the cycle runs: `audit` (each new entry, id = its seq), `cycle` (the cycle when it changes), `end` when it settled",
    responses: { ...eventStream("text/event-stream until the cycle settles or the client leaves"), ...errorResponses(400, 404) },
  }),
};

/** Finished cycles' charts, kept a while: a finished cycle's series does not change, and each read is an audited tool call. */
const CHART_CACHE_MS = 5 * 60_000;
const CHART_CACHE_SIZE = 100;
/** A comment line keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

/** A cycle's timeline, its chart and its live events (viewer role). */
export function cycleLiveRoutes(ap: Autopilot, guards: Guards) {
  const charts = new Map<string, { at: number; chart: CycleChart }>();
  const entriesOf = (cycleId: string) => ap.store.audit.list({ cycleId, limit: 5000 });
  const viewer = { middleware: guards.viewer };

  return new OpenAPIHono()
    .openapi({ ...routes.timeline, ...viewer }, async (c) => {
      const row = await cycleOr404(ap, c.req.valid("param").id);
      const steps = buildTimeline(await entriesOf(row.id));
      const traceUrl = ap.tracing ? await ap.tracing.traceUrl(row) : null;
      return c.json({ cycle: cycleView(row), steps, trace_url: traceUrl }, 200);
    })
    .openapi({ ...routes.chart, ...viewer }, async (c) => {
      const row = await cycleOr404(ap, c.req.valid("param").id);
      const cached = charts.get(row.id);
      if (cached && Date.now() - cached.at < CHART_CACHE_MS) return c.json(cached.chart, 200);
      const { name, role } = principalOf(c);
      const built = await buildCycleChart(ap, row, await entriesOf(row.id), { type: "Operator", id: name, role });
      if (row.status === "completed" || row.status === "failed") {
        if (charts.size >= CHART_CACHE_SIZE) charts.delete(charts.keys().next().value!);
        charts.set(row.id, { at: Date.now(), chart: built });
      }
      return c.json(built, 200);
    })
    .openapi({ ...routes.events, ...viewer }, async (c) => {
      const row = await cycleOr404(ap, c.req.valid("param").id);
      // A reconnecting EventSource says where it stopped.
      const afterSeq = Number(c.req.header("last-event-id") ?? 0) || 0;
      return streamSSE(c, async (stream) => {
        const aborted = abortOnClose(stream);
        const keepalive = setInterval(() => void stream.write(": keepalive\n\n").catch(() => undefined), KEEPALIVE_MS);
        try {
          const ended = await followCycle(
            ap,
            row.id,
            {
              audit: (entry) => stream.writeSSE({ event: "audit", id: String(entry.seq), data: JSON.stringify(compactEntry(entry)) }),
              cycle: (cycle) => stream.writeSSE({ event: "cycle", data: JSON.stringify(cycleView(cycle)) }),
            },
            { afterSeq, signal: aborted },
          );
          if (ended !== "aborted") await stream.writeSSE({ event: "end", data: JSON.stringify({ reason: ended }) });
        } finally {
          clearInterval(keepalive);
        }
      });
    });
}

/** `GET /api/v1/events`: cycle and approval changes for the console's list pages (viewer role). */
export function liveEventRoutes(ap: Autopilot, guards: Guards) {
  const feed = createLiveFeed(ap);
  const route = createRoute({
    method: "get",
    path: "/",
    tags: ["cycles"],
    summary: "Server-sent events: `cycle` (a cycle that started or changed) and `approval` (an approval that was requested or decided)",
    middleware: [guards.viewer] as const,
    responses: eventStream("text/event-stream until the client leaves"),
  });
  return new OpenAPIHono().openapi(route, (c) =>
    streamSSE(c, async (stream) => {
      const aborted = abortOnClose(stream);
      const unsubscribe = feed.subscribe((event) => {
        const data = event.type === "cycle" ? cycleView(event.cycle) : event.approval;
        void stream.writeSSE({ event: event.type, data: JSON.stringify(data) }).catch(() => undefined);
      });
      try {
        await stream.writeSSE({ event: "ready", data: "{}" });
        while (!aborted.aborted) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, KEEPALIVE_MS);
            aborted.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
          });
          if (!aborted.aborted) await stream.write(": keepalive\n\n");
        }
      } finally {
        unsubscribe();
      }
    }),
  );
}

/** An audit entry as the live stream sends it: what happened, without the decision's full request. */
function compactEntry(entry: AuditRow) {
  const data = (entry.data ?? {}) as Record<string, unknown>;
  return { seq: entry.seq, at: entry.atIso, kind: entry.kind, agent: entry.actor.id, tool: entry.tool, decision: entry.decision, summary: typeof data.summary === "string" ? data.summary : null };
}

/** An AbortSignal that fires when the client goes away. */
function abortOnClose(stream: SSEStreamingApi): AbortSignal {
  const controller = new AbortController();
  stream.onAbort(() => controller.abort());
  return controller.signal;
}
