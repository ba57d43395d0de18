import { describe, expect, it } from "vitest";

// The browser modules are plain JavaScript (served as they are); the parts without a DOM are
// tested here in Node. They are loaded by URL so that TypeScript does not look for declarations:
// each test states the shape it relies on, and console-types.test.ts type-checks the modules.
const load = <T>(file: string): Promise<T> => import(new URL(`./web/${file}`, import.meta.url).href) as Promise<T>;

interface SseEvent {
  event: string;
  data: string;
  id: string;
}
interface SseModule {
  createSseParser(onEvent: (e: SseEvent) => void): { push(text: string): void };
  readEventStream(body: ReadableStream<Uint8Array>, onEvent: (e: SseEvent) => void): Promise<void>;
}
interface Chart {
  metric: null;
  series: { t: string; v: number }[];
  anomalies: { t: string; v: number; score: number }[];
  marks: { t: string; kind: string; label: string }[];
}
interface ChartModule {
  niceStep(raw: number): number;
  niceTicks(min: number, max: number, count: number): number[];
  timeTicks(start: number, end: number, count: number): number[];
  layoutChart(
    chart: Chart,
    width: number,
    height: number,
  ): {
    plot: { top: number; right: number; bottom: number; left: number };
    path: string;
    points: { x: number; y: number }[];
    anomalies: { x: number; y: number }[];
    marks: { x: number; row: number; kind: string }[];
    labels: { x: number; row: number; anchor: string; text: string; kind: string }[];
    yTicks: { y: number; value: number }[];
  };
}
interface FormatModule {
  formatDuration(ms: number | null): string;
  humanize(key: string): string;
  field(obj: object, snake: string): unknown;
  relativeTime(iso: string, now: number): string;
}
interface RouterModule {
  parseRoute(hash: string): { name: string; params: Record<string, string> } | null;
  isRouteHash(hash: string): boolean;
  href(...segments: string[]): string;
}

describe("the event-stream parser", async () => {
  const { createSseParser, readEventStream } = await load<SseModule>("lib/sse.js");
  const parse = (chunks: string[]) => {
    const events: SseEvent[] = [];
    const parser = createSseParser((e) => events.push(e));
    for (const c of chunks) parser.push(c);
    return events;
  };

  it("reads named events with JSON data, whatever the line endings", () => {
    for (const eol of ["\n", "\r\n", "\r"]) {
      const text = `event: meta${eol}data: {"conversation_id":"c1"}${eol}${eol}event: token${eol}data: {"text":"Hel"}${eol}${eol}`;
      expect(parse([text]).map((e) => [e.event, JSON.parse(e.data)])).toEqual([
        ["meta", { conversation_id: "c1" }],
        ["token", { text: "Hel" }],
      ]);
    }
  });

  it("puts events cut anywhere back together, a CRLF split across chunks included", () => {
    const text = 'event: token\r\ndata: {"text":"a b"}\r\n\r\nevent: done\r\ndata: {"answer":"a b"}\r\n\r\n';
    const whole = parse([text]);
    for (let cut = 1; cut < text.length; cut++) expect(parse([text.slice(0, cut), text.slice(cut)]), `cut at ${cut}`).toEqual(whole);
    expect(parse(text.split(""))).toEqual(whole);
    expect(whole).toHaveLength(2);
  });

  it("joins data lines, skips comments, drops one leading space, defaults the name to message and keeps the last id", () => {
    const events = parse([": keep-alive\n\ndata:first\ndata:  second\nid: 7\n\ndata\n\nevent: end\n\n"]);
    expect(events).toEqual([
      { event: "message", data: "first\n second", id: "7" },
      { event: "message", data: "", id: "7" },
    ]);
  });

  it("drops an event the stream ended before its blank line", async () => {
    const bytes = new TextEncoder().encode('event: token\ndata: {"text":"é"}\n\nevent: token\ndata: {"text":"lost"}\n');
    // Split inside the two bytes of "é", as a network read may.
    const at = bytes.indexOf(0xc3) + 1;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, at));
        controller.enqueue(bytes.slice(at));
        controller.close();
      },
    });
    const events: SseEvent[] = [];
    await readEventStream(body, (e) => events.push(e));
    expect(events.map((e) => JSON.parse(e.data).text)).toEqual(["é"]);
  });
});

describe("the chart's geometry", async () => {
  const { niceStep, niceTicks, timeTicks, layoutChart } = await load<ChartModule>("lib/chart-scale.js");
  const at = (min: number) => new Date(Date.UTC(2026, 10, 20, 8, min)).toISOString();

  it("chooses round steps and ticks", () => {
    expect([0.013, 0.3, 0.7, 1.9, 2.2, 4, 7, 120].map(niceStep)).toEqual([0.02, 0.5, 1, 2, 2.5, 5, 10, 200]);
    expect(niceTicks(0.66, 0.73, 4)).toEqual([0.66, 0.68, 0.7, 0.72]);
    expect(niceTicks(-0.3, 0.3, 4)).toEqual([-0.2, 0, 0.2]);
    const ticks = timeTicks(Date.parse(at(0)), Date.parse(at(60)), 4);
    expect(ticks.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual(["08:00", "08:15", "08:30", "08:45", "09:00"]);
  });

  it("places points inside the plot, higher values higher, anomalies on the series' scale", () => {
    const chart: Chart = {
      metric: null,
      series: [0.72, 0.72, 0.68, 0.66, 0.73].map((v, i) => ({ t: at(i * 10), v })),
      anomalies: [{ t: at(30), v: 0.66, score: 0.9 }],
      marks: [],
    };
    const L = layoutChart(chart, 600, 280);
    expect(L.points).toHaveLength(5);
    for (const p of L.points) {
      expect(p.x).toBeGreaterThanOrEqual(L.plot.left);
      expect(p.x).toBeLessThanOrEqual(L.plot.right);
      expect(p.y).toBeGreaterThanOrEqual(L.plot.top);
      expect(p.y).toBeLessThanOrEqual(L.plot.bottom);
    }
    expect(L.points[4]!.y).toBeLessThan(L.points[0]!.y);
    expect(L.anomalies[0]).toEqual({ ...chart.anomalies[0], x: L.points[3]!.x, y: L.points[3]!.y });
    expect(L.path).toMatch(/^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+){4}$/);
    expect(L.plot.top).toBe(12);
  });

  it("stacks labels of close marks in separate rows, alert, rollback and deploy first, and turns a label at the right edge leftwards", () => {
    const chart: Chart = {
      metric: null,
      series: [{ t: at(0), v: 1 }, { t: at(60), v: 2 }],
      anomalies: [],
      marks: [
        { t: at(20), kind: "alert", label: "SearchRelevanceDegraded" },
        { t: at(21), kind: "approval", label: "approved by olivia" },
        { t: at(22), kind: "deploy", label: "Synced search to 94d129b" },
        { t: at(60), kind: "rollback", label: "Rolled back search" },
      ],
    };
    const L = layoutChart(chart, 900, 280);
    expect(L.marks.map((m) => m.kind)).toEqual(["alert", "approval", "deploy", "rollback"]);
    expect(Object.fromEntries(L.labels.map((l) => [l.kind, [l.row, l.anchor]]))).toEqual({ alert: [0, "start"], rollback: [0, "end"], deploy: [1, "start"], approval: [2, "start"] });
    expect(L.marks.map((m) => m.row)).toEqual([0, 2, 1, 0]);
    expect(L.labels.every((l) => l.text.length <= 34)).toBe(true);
    expect(L.plot.top).toBeGreaterThan(12);
  });

  it("gives marks of a kind at one place one label, and leaves out a label that would overprint another", () => {
    const approvals = [0, 1, 2].map((s) => ({ t: new Date(Date.parse(at(30)) + s * 1000).toISOString(), kind: "approval", label: "approved by olivia" }));
    const others = ["alert", "deploy", "rollback", "deploy"].map((kind, i) => ({ t: at(29 + i), kind, label: `${kind} number ${i}` }));
    const L = layoutChart({ metric: null, series: [{ t: at(0), v: 1 }, { t: at(60), v: 2 }], anomalies: [], marks: [...approvals, ...others] }, 400, 280);
    expect(L.marks).toHaveLength(7);
    const texts = L.labels.map((l) => l.text);
    expect(texts).toContain("alert: alert number 0");
    expect(L.labels.filter((l) => l.kind === "approval").length).toBeLessThanOrEqual(1);
    expect(L.labels).toHaveLength(3);
    expect(L.marks.filter((m) => m.row === -1).map((m) => m.kind)).toEqual(["approval", "approval", "approval", "deploy"]);
    // No two labels of a row overlap.
    for (const row of [0, 1, 2]) {
      const spans = L.labels.filter((l) => l.row === row).map((l) => (l.anchor === "start" ? [l.x, l.x + l.text.length * 6.6] : [l.x - l.text.length * 6.6, l.x]));
      for (const [i, a] of spans.entries()) for (const b of spans.slice(i + 1)) expect(a[1]! <= b[0]! || b[1]! <= a[0]!).toBe(true);
    }
    const wide = layoutChart({ metric: null, series: [{ t: at(0), v: 1 }, { t: at(60), v: 2 }], anomalies: [], marks: approvals }, 900, 280);
    expect(wide.labels.map((l) => l.text)).toEqual(["approval ×3: approved by olivia"]);
    expect(wide.marks.map((m) => m.row)).toEqual([0, 0, 0]);
  });

  it("draws a flat or empty series without dividing by zero", () => {
    const flat = layoutChart({ metric: null, series: [{ t: at(0), v: 5 }], anomalies: [], marks: [] }, 400, 200);
    expect(flat.path).toMatch(/^M[\d.]+,[\d.]+$/);
    expect(flat.yTicks.length).toBeGreaterThan(1);
    expect(layoutChart({ metric: null, series: [], anomalies: [], marks: [] }, 400, 200).path).toBe("");
  });
});

describe("formatting and routes", async () => {
  const { formatDuration, humanize, field, relativeTime } = await load<FormatModule>("lib/format.js");
  const { parseRoute, isRouteHash, href } = await load<RouterModule>("lib/router.js");

  it("writes durations, keys and relative times for reading", () => {
    expect([null, 850, 12_400, 200_000, 7_500_000, 3 * 86_400_000 + 4 * 3_600_000].map(formatDuration)).toEqual(["–", "850 ms", "12 s", "3 min 20 s", "2 h 5 min", "3 d 4 h"]);
    expect(formatDuration(4_200)).toBe("4.2 s");
    expect(humanize("cycles_per_week")).toBe("Cycles per week");
    expect(humanize("avgCycleMs")).toBe("Avg cycle ms");
    expect(relativeTime("2026-11-20T09:00:00Z", Date.parse("2026-11-20T08:18:00Z"))).toBe("in 42 min");
    expect(relativeTime("2026-11-20T08:00:00Z", Date.parse("2026-11-20T08:03:00Z"))).toBe("3 min ago");
  });

  it("reads a field under its snake_case or camelCase name", () => {
    expect(field({ expires_at: "a" }, "expires_at")).toBe("a");
    expect(field({ expiresAt: "b" }, "expires_at")).toBe("b");
    expect(field({}, "expires_at")).toBeUndefined();
  });

  it("parses hash routes and leaves in-page anchors alone", () => {
    expect(parseRoute("#/cycles/si_2026_11_20_001")).toEqual({ name: "cycle", params: { id: "si_2026_11_20_001" } });
    expect(parseRoute("#/cycles")).toEqual({ name: "cycles", params: {} });
    expect(parseRoute(href("approvals", "apr 1/2"))).toEqual({ name: "approval", params: { id: "apr 1/2" } });
    expect(parseRoute("#/nowhere")).toBeNull();
    expect(parseRoute("#/cycles/%E0%A4%A")).toBeNull();
    expect(isRouteHash("#main")).toBe(false);
    expect(isRouteHash("#/chat")).toBe(true);
  });
});
