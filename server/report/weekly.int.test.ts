import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type Database } from "../store/index.js";
import { parseIsoWeek } from "./iso-week.js";
import { loadHealth, loadWeeklyReport } from "./weekly.js";
import type { WeeklyReport } from "./schemas.js";

// Crafted cycles of ISO week 2026-W47 (16-22 November) and its neighbours, with reports holding only
// what the health reads, run on PostgreSQL when DATABASE_URL is set and PGlite otherwise.
const T = (iso: string) => new Date(`2026-11-${iso}Z`);
let seq = 0;

interface Craft {
  created: string;
  status?: "queued" | "running" | "awaiting_approval" | "completed" | "failed";
  outcome?: "promoted" | "rolled_back" | "escalated" | "no_action";
  service?: string | null;
  signal?: string | null;
  /** Minutes the cycle's own clock ran (report timestamp to finished_at). */
  minutes?: number;
  report?: Record<string, unknown>;
  report_raw?: unknown;
  error?: string;
  started?: string;
  finished?: string;
}

async function insert(db: Database, c: Craft): Promise<string> {
  const id = `si_2026_11_${c.created.slice(0, 2)}_${String(++seq).padStart(3, "0")}`;
  const created = T(c.created);
  const status = c.status ?? "completed";
  const finishedAt = new Date(created.getTime() + (c.minutes ?? 60) * 60_000);
  const report =
    c.report_raw !== undefined
      ? c.report_raw
      : status === "completed"
        ? { timestamp: created.toISOString(), finished_at: finishedAt.toISOString(), outcome: c.outcome, outcome_reason: `${c.outcome} because`, failure: null, approvals: [], steps: [], findings: {}, usage: usage(0, 0), ...c.report }
        : null;
  await db.query(
    `INSERT INTO cycles (id, status, environment, service, signal, trigger, created_at, updated_at, started_at, finished_at, outcome, report, error)
     VALUES ($1, $2, 'production', $3, $4, '{}', $5, $5, $6, $7, $8, $9::jsonb, $10)`,
    [
      id,
      status,
      c.service === undefined ? "search" : c.service,
      c.signal === undefined ? "ndcg_drop" : c.signal,
      created,
      c.started ? T(c.started) : status === "queued" ? null : created,
      c.finished ? T(c.finished) : status === "completed" ? finishedAt : null,
      c.outcome ?? null,
      report === null ? null : JSON.stringify(report),
      c.error ?? null,
    ],
  );
  return id;
}

const usage = (costUsd: number, modelCalls: number) => ({ costUsd, modelCalls, toolCalls: 3, inputTokens: modelCalls * 1000, outputTokens: modelCalls * 50 });
const check = (rule: string, metric: string) => ({ rule, metric, candidate: null, reference: null, threshold: null, passed: true, detail: "" });
const evaluation = (checks: unknown[], candidate: Record<string, number>, champion: Record<string, number>) => ({ evaluation: { passed: true, checks, candidate: { version: "2", metrics: candidate }, champion: { version: "1", metrics: champion } } });
const steps = (...names: Array<[string, string]>) => names.map(([step, at]) => ({ step, agent: "devops", attempt: 1, status: "done", summary: "", started_at: at, ended_at: at }));
const approval = (tool: string, at: string, status = "approved") => ({ id: `ap_${tool}`, tool, status, by: "olivia", reason: "ok", at });

const ids: Record<string, string> = {};

describe("loop health on the database", () => {
  let db: Database;
  let week: WeeklyReport;

  beforeAll(async () => {
    db = await openTestDatabase();
    // 1. NDCG +10% over the champion, 3 h, $0.25.
    ids.ndcg = await insert(db, {
      created: "16T00:00:00",
      outcome: "promoted",
      minutes: 180,
      report: { usage: usage(0.25, 10), findings: evaluation([check("relative_gain", "ndcg_at_10")], { ndcg_at_10: 0.77 }, { ndcg_at_10: 0.7 }) },
    });
    // 2. Latency: lower is better, so 0.6 -> 0.3 is a +50% gain.
    ids.latency = await insert(db, {
      created: "17T10:00:00",
      signal: "latency_p95",
      outcome: "promoted",
      minutes: 60,
      report: { usage: usage(0.05, 4), findings: evaluation([check("max_relative_rise_vs_baseline", "latency_p95")], { latency_p95: 0.3 }, { latency_p95: 0.6 }) },
    });
    // 3. Cost on another service: the approval check has no metric, no_loss gains 0; the budget share 0.9 -> 0.54 saves 40%.
    ids.cost = await insert(db, {
      created: "18T10:00:00",
      service: "catalog",
      signal: "cost",
      outcome: "promoted",
      minutes: 120,
      report: {
        findings: {
          ...evaluation([check("manual_approval", "approval"), check("no_loss", "ndcg_at_10")], { ndcg_at_10: 0.7 }, { ndcg_at_10: 0.7 }),
          monitor: { metric: "search:cost_budget_ratio", value: 0.9 },
          watch: { final: { "search:cost_budget_ratio": 0.54, "search:ndcg_at_10": 0.71 } },
        },
      },
    });
    // 4. Capacity change: no metric measured on both, so no quality figure.
    ids.etl = await insert(db, { created: "18T11:00:00", signal: "etl_backlog", outcome: "promoted", minutes: 120, report: { findings: evaluation([check("no_loss", "ndcg_at_10")], {}, {}) } });
    // 5. Rolled back by the loop: the promotion was approved, the rollback was not asked.
    ids.autoRollback = await insert(db, {
      created: "19T10:00:00",
      outcome: "rolled_back",
      minutes: 100,
      report: {
        approvals: [approval("gitops_write_values", "2026-11-19T10:10:00.000Z")],
        steps: steps(["promote", "2026-11-19T10:05:00.000Z"], ["watch", "2026-11-19T10:20:00.000Z"], ["rollback", "2026-11-19T11:30:00.000Z"]),
        findings: evaluation([check("relative_gain", "ndcg_at_10")], { ndcg_at_10: 0.8 }, { ndcg_at_10: 0.7 }),
      },
    });
    // 6. Rolled back on an operator's approval (auto_rollback off), placed by its time.
    ids.approvedRollback = await insert(db, {
      created: "19T12:00:00",
      outcome: "rolled_back",
      minutes: 140,
      report: { approvals: [approval("argocd_rollback_application", "2026-11-19T14:01:00.000Z")], steps: steps(["watch", "2026-11-19T13:00:00.000Z"], ["rollback", "2026-11-19T14:00:00.000Z"]) },
    });
    // 7. Rolled back on an approval that names its step; a rejected one would not count.
    ids.stepRollback = await insert(db, {
      created: "19T15:00:00",
      outcome: "rolled_back",
      minutes: 20,
      report: { approvals: [{ ...approval("gitops_restore_values", "2026-11-19T15:00:00.000Z"), step: "rollback.git" }, { ...approval("x", "2026-11-19T15:10:00.000Z", "rejected"), step: "rollback" }], steps: [] },
    });
    // 8. Escalated on a tool error.
    ids.escalated = await insert(db, {
      created: "20T08:00:00",
      service: "catalog",
      outcome: "escalated",
      minutes: 30,
      report: { outcome_reason: "rollback did not complete", failure: { step: "rollback", tool: "mlflow_set_model_alias", system: "mlflow", code: "upstream_server_error", message: "500", retryable: true } },
    });
    // 9. A false alarm.
    ids.noAction = await insert(db, { created: "20T09:00:00", outcome: "no_action", minutes: 10 });
    // 10. A crash: no report, timed on the row.
    ids.failed = await insert(db, { created: "21T09:00:00", status: "failed", error: "graph crashed", started: "21T09:00:00", finished: "21T09:02:00" });
    // 11. Active cycles, one with no known service.
    ids.running = await insert(db, { created: "22T23:59:59.999", status: "running" });
    ids.parked = await insert(db, { created: "22T12:00:00", status: "awaiting_approval", service: null, signal: null });
    // 12. An odd report (strings where numbers belong, checks not an array) must not break anything.
    ids.odd = await insert(db, { created: "22T13:00:00", outcome: "promoted", minutes: 5, report: { usage: { costUsd: "lots" }, findings: { evaluation: { checks: "none" } }, timestamp: "yesterday" } });
    // Neighbours: the week before, and the first instant of the week after.
    ids.before = await insert(db, { created: "15T23:59:59.999", outcome: "promoted", minutes: 60 });
    ids.after = await insert(db, { created: "23T00:00:00", outcome: "escalated", minutes: 60 });
    week = await loadWeeklyReport(db, parseIsoWeek("2026-W47"), new Date("2026-11-23T08:00:00Z"));
  });
  afterAll(() => db.close());

  it("counts the week's cycles by outcome and status, and only the week's", () => {
    const t = week.totals;
    expect(t.cycles).toBe(13);
    expect(t.outcomes).toEqual({ promoted: 5, rolled_back: 3, escalated: 1, no_action: 1 });
    expect(t.statuses).toEqual({ queued: 0, running: 1, awaiting_approval: 1, completed: 10, failed: 1 });
    expect(t.finished).toBe(11);
    // promoted 5 + no_action 1 over 11 finished.
    expect(t.success_rate).toBe(0.5455);
  });

  it("times finished cycles on their report's clock and a failed one on its row", () => {
    // 180, 60, 120, 120, 100, 140, 20, 30, 10 minutes, the failed cycle's 2 and the odd report's 5 (its row's times).
    expect(week.totals.cycle_time).toEqual({ measured: 11, mean_seconds: 4292.7, p50_seconds: 60 * 60, p90_seconds: 140 * 60 });
  });

  it("tells automatic rollbacks from those a human approved", () => {
    expect(week.totals.rollbacks).toEqual({ total: 3, automatic: 1 });
    const rollbacks = week.notable.cycles.filter((c) => c.kind === "rolled_back");
    expect(rollbacks.map((c) => [c.id, c.automatic_rollback])).toEqual([
      [ids.autoRollback, true],
      [ids.approvedRollback, false],
      [ids.stepRollback, false],
    ]);
  });

  it("measures the gated metric's gain of promoted cycles only, better being positive", () => {
    // ndcg +0.1 and cost 0 on ndcg_at_10, latency +0.5; the rolled-back +14% does not count.
    expect(week.totals.quality_gain).toEqual({ measured: 3, mean_relative: 0.2 });
    expect(week.quality_by_metric).toEqual([
      { metric: "latency_p95", cycles: 1, mean_gain: 0.3, mean_relative_gain: 0.5 },
      { metric: "ndcg_at_10", cycles: 2, mean_gain: 0.035, mean_relative_gain: 0.05 },
    ]);
  });

  it("measures cost saved on promoted cost cycles from the monitor and the watch", () => {
    expect(week.totals.cost_saving).toEqual({ measured: 1, mean_budget_share_before: 0.9, mean_budget_share_after: 0.54, mean_relative: 0.4 });
    expect(week.services.find((s) => s.service === "search")!.cost_saving.mean_relative).toBeNull();
  });

  it("adds up the model spend", () => {
    expect(week.totals.model_spend).toEqual({ usd: 0.3, model_calls: 14, input_tokens: 14_000, output_tokens: 700 });
  });

  it("breaks the week down per service, the unknown service last", () => {
    expect(week.services.map((s) => [s.service, s.cycles, s.outcomes.promoted, s.outcomes.escalated])).toEqual([
      ["catalog", 2, 1, 1],
      ["search", 10, 4, 0],
      [null, 1, 0, 0],
    ]);
  });

  it("lists escalations, rollbacks and failures oldest first with why", () => {
    expect(week.notable.total).toBe(5);
    expect(week.notable.cycles.map((c) => c.id)).toEqual([ids.autoRollback, ids.approvedRollback, ids.stepRollback, ids.escalated, ids.failed]);
    expect(week.notable.cycles[3]).toMatchObject({ kind: "escalated", service: "catalog", reason: "rollback did not complete", failure: { step: "rollback", tool: "mlflow_set_model_alias", system: "mlflow", code: "upstream_server_error" } });
    expect(week.notable.cycles[4]).toMatchObject({ kind: "failed", reason: "graph crashed", finished_at: "2026-11-21T09:02:00.000Z" });
  });

  it("gives the health of the last weeks, oldest first, zero-filled, with the same figures as the weekly report", async () => {
    const health = await loadHealth(db, new Date("2026-11-25T00:00:00Z"), 4);
    expect(health.map((w) => [w.week, w.cycles])).toEqual([
      ["2026-W45", 0],
      ["2026-W46", 1],
      ["2026-W47", 13],
      ["2026-W48", 1],
    ]);
    const { week: label, start, end, ...figures } = health[2]!;
    expect([label, start, end]).toEqual(["2026-W47", "2026-11-16T00:00:00.000Z", "2026-11-23T00:00:00.000Z"]);
    expect(figures).toEqual(week.totals);
    expect(health[0]!.success_rate).toBeNull();
  });
});
