import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CycleReportSchema, type CycleReport } from "../../graphs/index.js";
import { loadConfig } from "../config.js";
import { runReportCommand } from "../commands/report.js";
import { renderWeeklyMarkdown, type WeekHealth, type WeeklyReport } from "../report/index.js";
import { openTestDatabase, type Database } from "../store/index.js";
import { startHarness, type Harness } from "../testing/harness.js";

// Three sandbox cycles of week 2026-W47 played through the real graph on one database: a promotion
// (ndcg-drop), an automatic rollback (bad-deploy) and an escalation (satisfaction-drop). The last
// harness stays up to serve the API, its clock still in that week.
const SCENARIOS = ["ndcg-drop", "bad-deploy", "satisfaction-drop"] as const;
const BIN = path.resolve(import.meta.dirname, "..", "..", "bin", "autopilot.js");

let db: Database;
let h: Harness;
const reports: Record<string, CycleReport> = {};

beforeAll(async () => {
  db = await openTestDatabase();
  for (const [i, name] of SCENARIOS.entries()) {
    const harness = await startHarness({ scenario: name, db });
    const cycle = await harness.runScenario();
    reports[name] = CycleReportSchema.parse(cycle.report);
    if (i < SCENARIOS.length - 1) await harness.close();
    else h = harness;
  }
}, 300_000);
afterAll(async () => {
  await h?.close();
  await db?.close();
});

const getJson = async <T>(pathname: string, token = h.tokens.viewer): Promise<{ status: number; body: T }> => {
  const res = await h.api("GET", pathname, token);
  return { status: res.status, body: (await res.json()) as T };
};
const seconds = (r: CycleReport) => (Date.parse(r.finished_at) - Date.parse(r.timestamp)) / 1000;

describe("GET /api/v1/report/weekly", () => {
  let week: WeeklyReport;
  beforeAll(async () => {
    const res = await getJson<WeeklyReport>("/api/v1/report/weekly?week=2026-W47");
    expect(res.status).toBe(200);
    week = res.body;
  });

  it("counts the three cycles by outcome, with one success in three", () => {
    expect(SCENARIOS.map((s) => reports[s]!.outcome)).toEqual(["promoted", "rolled_back", "escalated"]);
    expect(week).toMatchObject({ week: "2026-W47", start: "2026-11-16T00:00:00.000Z", end: "2026-11-23T00:00:00.000Z" });
    expect(week.totals.cycles).toBe(3);
    expect(week.totals.outcomes).toEqual({ promoted: 1, rolled_back: 1, escalated: 1, no_action: 0 });
    expect(week.totals.finished).toBe(3);
    expect(week.totals.success_rate).toBe(0.3333);
    expect(week.totals.rollbacks).toEqual({ total: 1, automatic: 1 });
  });

  it("times the cycles on their own (simulated) clock", () => {
    const times = SCENARIOS.map((s) => seconds(reports[s]!)).sort((a, b) => a - b);
    expect(times[2]).toBeGreaterThan(3 * 3600); // the A/B test and the watch of the promotion
    expect(week.totals.cycle_time).toEqual({ measured: 3, mean_seconds: Math.round((times.reduce((a, b) => a + b, 0) / 3) * 10) / 10, p50_seconds: times[1], p90_seconds: Math.round((times[1]! + 0.8 * (times[2]! - times[1]!)) * 10) / 10 });
  });

  it("measures the promotion's NDCG gain over the champion from its evaluation", () => {
    const evaluation = reports["ndcg-drop"]!.findings.evaluation as { candidate: { metrics: Record<string, number> }; champion: { metrics: Record<string, number> } };
    const gain = evaluation.candidate.metrics.ndcg_at_10! - evaluation.champion.metrics.ndcg_at_10!;
    expect(gain).toBeGreaterThan(0);
    expect(week.totals.quality_gain).toEqual({ measured: 1, mean_relative: Math.round((gain / evaluation.champion.metrics.ndcg_at_10!) * 1e4) / 1e4 });
    expect(week.quality_by_metric).toEqual([{ metric: "ndcg_at_10", cycles: 1, mean_gain: Math.round(gain * 1e6) / 1e6, mean_relative_gain: week.totals.quality_gain.mean_relative }]);
    expect(week.totals.cost_saving.measured).toBe(0);
  });

  it("adds up the reports' model usage", () => {
    const calls = SCENARIOS.reduce((n, s) => n + reports[s]!.usage.modelCalls, 0);
    expect(calls).toBeGreaterThan(0);
    expect(week.totals.model_spend).toMatchObject({ usd: 0, model_calls: calls });
  });

  it("lists the rollback and the escalation with their reasons and ids", () => {
    expect(week.notable.total).toBe(2);
    const [rollback, escalation] = week.notable.cycles;
    expect(rollback).toMatchObject({ id: reports["bad-deploy"]!.cycle_id, kind: "rolled_back", automatic_rollback: true, reason: reports["bad-deploy"]!.outcome_reason });
    expect(escalation).toMatchObject({ id: reports["satisfaction-drop"]!.cycle_id, kind: "escalated", signal: "nps", reason: reports["satisfaction-drop"]!.outcome_reason });
    expect(week.services.map((s) => [s.service, s.cycles])).toEqual([["search", 3]]);
  });

  it("defaults to the server's current week", async () => {
    const res = await getJson<WeeklyReport>("/api/v1/report/weekly");
    expect(res.status).toBe(200);
    expect(res.body.week).toBe("2026-W47");
    expect(res.body.totals).toEqual(week.totals);
  });

  it("refuses a bad week with 400 naming the problem", async () => {
    for (const [query, words] of [
      ["2026-47", "YYYY-Www"],
      ["2025-W53", "2025 has weeks W01 to W52"],
      ["", "YYYY-Www"],
    ] as const) {
      const res = await getJson<{ error: { code: string; message: string } }>(`/api/v1/report/weekly?week=${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe("invalid_query");
      expect(res.body.error.message).toContain("week:");
      expect(res.body.error.message).toContain(words);
    }
  });
});

describe("GET /api/v1/report/health", () => {
  it("gives the last N weeks oldest first, the current one with the weekly report's totals", async () => {
    const res = await getJson<{ weeks: WeekHealth[]; definitions: Record<string, string> }>("/api/v1/report/health?weeks=3");
    expect(res.status).toBe(200);
    expect(res.body.weeks.map((w) => [w.week, w.cycles])).toEqual([
      ["2026-W45", 0],
      ["2026-W46", 0],
      ["2026-W47", 3],
    ]);
    const weekly = await getJson<WeeklyReport>("/api/v1/report/weekly?week=2026-W47");
    const { week: _w, start: _s, end: _e, ...figures } = res.body.weeks[2]!;
    expect(figures).toEqual(weekly.body.totals);
    expect(Object.keys(res.body.definitions)).toContain("success_rate");
  });

  it("defaults to 8 weeks", async () => {
    const res = await getJson<{ weeks: WeekHealth[] }>("/api/v1/report/health");
    expect(res.body.weeks).toHaveLength(8);
    expect(res.body.weeks.at(-1)!.week).toBe("2026-W47");
  });

  it("refuses weeks outside 1..52 or not a number with 400 naming weeks", async () => {
    for (const weeks of ["0", "53", "2.5", "many"]) {
      const res = await getJson<{ error: { code: string; message: string } }>(`/api/v1/report/health?weeks=${weeks}`);
      expect(res.status, weeks).toBe(400);
      expect(res.body.error).toMatchObject({ code: "invalid_query", message: "weeks: weeks must be a whole number from 1 to 52" });
    }
  });
});

describe("access and the OpenAPI document", () => {
  it("needs a principal; a viewer may read", async () => {
    expect((await h.api("GET", "/api/v1/report/health")).status).toBe(401);
    expect((await h.api("GET", "/api/v1/report/weekly", "not-a-token")).status).toBe(401);
    expect((await h.api("GET", "/api/v1/report/health", h.tokens.viewer)).status).toBe(200);
  });

  it("documents both routes with their query parameters and the viewer role", async () => {
    const { body: doc } = await getJson<{ paths: Record<string, { get?: { parameters?: Array<{ name: string; in: string }>; "x-required-role"?: string; responses: Record<string, unknown> } }>; components: { schemas: Record<string, unknown> } }>("/api/v1/openapi.json");
    const health = doc.paths["/api/v1/report/health"]?.get;
    const weekly = doc.paths["/api/v1/report/weekly"]?.get;
    expect(health?.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(["query:weeks"]);
    expect(weekly?.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(["query:week"]);
    expect(health?.["x-required-role"]).toBe("viewer");
    expect(Object.keys(weekly?.responses ?? {})).toEqual(expect.arrayContaining(["200", "400"]));
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["WeeklyReport", "WeekHealth", "LoopHealth"]));
  });
});

describe("npx autopilot report", () => {
  const configFor = (token?: string) => loadConfig({ AUTOPILOT_URL: h.url, ...(token ? { AUTOPILOT_TOKEN: token } : {}) } as NodeJS.ProcessEnv);

  it("prints the API's weekly report as markdown, and as JSON with --json", async () => {
    const api = (await getJson<WeeklyReport>("/api/v1/report/weekly?week=2026-W47")).body;
    const lines: string[] = [];
    expect(await runReportCommand(configFor(h.tokens.viewer), { week: "2026-W47", json: false }, (l) => lines.push(l))).toBe(0);
    // generated_at is when each answer was made; everything else is the same report.
    expect(lines.join("\n").replace(/generated [^U]+UTC/, "")).toBe(renderWeeklyMarkdown(api).replace(/generated [^U]+UTC/, ""));
    expect(lines.join("\n")).toContain(`| ${reports["bad-deploy"]!.cycle_id} | rolled back (automatic) | search | ndcg_drop |`);
    const json: string[] = [];
    expect(await runReportCommand(configFor(h.tokens.viewer), { json: true }, (l) => json.push(l))).toBe(0);
    expect({ ...(JSON.parse(json.join("\n")) as WeeklyReport), generated_at: "" }).toEqual({ ...api, generated_at: "" });
  });

  it("runs as a command: markdown on stdout, exit 0; a bad token is refused on stderr, exit 1", async () => {
    const run = promisify(execFile);
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", AUTOPILOT_URL: h.url, AUTOPILOT_TOKEN: h.tokens.viewer };
    const ok = await run(process.execPath, [BIN, "report", "--week"], { env, timeout: 60_000 });
    expect(ok.stdout).toMatch(/^# Autopilot weekly report: 2026-W47\n/);
    expect(ok.stdout).toContain("| Success rate | 33.3% (1 of 3 finished cycles) |");
    const refused = await run(process.execPath, [BIN, "report"], { env: { ...env, AUTOPILOT_TOKEN: "apt_wrong" }, timeout: 60_000 }).then(
      () => null,
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stdout).toBe("");
    expect(refused?.stderr).toContain("401 unauthenticated");
    expect(refused?.stderr).toContain("check AUTOPILOT_TOKEN");
    expect(refused?.stderr).not.toContain("apt_wrong");
  });
});
