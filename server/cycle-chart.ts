import { isSignal, type Environment } from "../core/index.js";
import { signalSelector } from "../tools/index.js";
import { latestFindings, type CycleStateType } from "../graphs/index.js";
import { outsideCycleScope, type Principal } from "../policies/index.js";
import type { AuditRow, CycleRow } from "./store/index.js";
import type { Autopilot } from "./autopilot.js";

/** A labelled instant on the chart. */
export interface ChartMark {
  t: string;
  kind: "alert" | "deploy" | "rollback" | "approval";
  label: string;
}

/** The chart of a cycle's trigger metric, with what the detector flagged and what the loop did. */
export interface CycleChart {
  metric: { service: string; signal: string; title: string; query: string } | null;
  /** Why there is no series, when there is none. */
  unavailable: string | null;
  window: { start: string; end: string; step_seconds: number } | null;
  series: { t: string; v: number }[];
  anomalies: { t: string; v: number; score: number }[];
  marks: ChartMark[];
}

/** Tools whose success deploys a model, and those whose success rolls one back. */
const DEPLOY_TOOLS = new Set(["argocd_sync_application"]);
const ROLLBACK_TOOLS = new Set(["argocd_rollback_application", "gitops_restore_values"]);
/** Points drawn across the window. */
const CHART_POINTS = 300;
/** History shown before the alert when the detector's window is not known. */
const DEFAULT_LOOKBACK_MS = 3 * 3_600_000;

type Data = Record<string, unknown>;

/**
 * The marks of a cycle from its audit entries: the alert that started it, each deploy and rollback
 * that succeeded, each human decision on an approval. A rollback restores Git after an Argo CD
 * rollback in the same step, so marks of one kind closer than a minute are kept once.
 */
export function chartMarks(rows: readonly AuditRow[]): ChartMark[] {
  const marks: ChartMark[] = [];
  const push = (mark: ChartMark) => {
    const last = marks.findLast((m) => m.kind === mark.kind);
    if (last && Math.abs(Date.parse(mark.t) - Date.parse(last.t)) < 60_000) return;
    marks.push(mark);
  };
  for (const row of rows) {
    const d = (row.data ?? {}) as Data;
    if (row.kind === "cycle_started") {
      const trigger = (d.trigger ?? {}) as Data;
      const at = typeof trigger.startsAt === "string" ? trigger.startsAt : row.atIso;
      push({ t: new Date(at).toISOString(), kind: "alert", label: typeof trigger.alertname === "string" ? trigger.alertname : "alert" });
    } else if (row.kind === "tool_result" && d.status === "success" && row.tool && (DEPLOY_TOOLS.has(row.tool) || ROLLBACK_TOOLS.has(row.tool))) {
      push({ t: row.atIso, kind: DEPLOY_TOOLS.has(row.tool) ? "deploy" : "rollback", label: typeof d.summary === "string" ? d.summary.slice(0, 120) : row.tool });
    } else if (row.kind === "approval_decided") {
      push({ t: row.atIso, kind: "approval", label: `${row.decision ?? "decided"} by ${row.actor.id}` });
    }
  }
  return marks;
}

/** The flagged points of the cycle's anomaly finding (from its report, or its state while it runs). */
export function anomalyFinding(findings: Record<string, unknown> | undefined): { flagged: { t: string; v: number; score: number }[]; windowStart: string | null } {
  const f = findings?.anomalies as { flagged?: { at: string; value: number; score: number }[]; window?: { start?: string } } | undefined;
  return { flagged: (f?.flagged ?? []).map((p) => ({ t: p.at, v: p.value, score: p.score })), windowStart: f?.window?.start ?? null };
}

/**
 * Builds a cycle's chart. The series is read through the policy gate as the caller (a read-only
 * Prometheus range query outside any cycle, so it never lands in the cycle's own audit trail), over
 * the detector's window (or a few hours before the alert) to the end of the cycle. Times are the
 * platform's clock, which is the sandbox's simulated one in the sandbox.
 */
export async function buildCycleChart(ap: Pick<Autopilot, "gate" | "graph" | "contractFor" | "platform">, cycle: CycleRow, rows: readonly AuditRow[], principal: Principal): Promise<CycleChart> {
  const marks = chartMarks(rows);
  const report = cycle.report as { findings?: Record<string, unknown> } | null;
  const findings = report?.findings ?? (await liveFindings(ap, cycle.id));
  const anomalies = anomalyFinding(findings);
  const empty = (unavailable: string, metric: CycleChart["metric"] = null): CycleChart => ({ metric, unavailable, window: null, series: [], anomalies: anomalies.flagged, marks });
  const signal = cycle.signal;
  const service = cycle.service;
  if (!signal || !service || !isSignal(signal)) return empty(`the cycle's trigger (${signal ?? "no signal"}) is not a signal of the trigger contract, so it has no metric to chart`);
  const contract = (await ap.contractFor(cycle.environment as Environment)).signals[signal];
  if (!contract) return empty(`the trigger contract defines no signal "${signal}"`);
  const query = signalSelector(contract, service);
  const metric = { service, signal, title: contract.title, query };

  const times = rows.map((r) => r.at.getTime());
  const alertAt = marks.find((m) => m.kind === "alert");
  const first = Math.min(...times, alertAt ? Date.parse(alertAt.t) : Infinity);
  if (!Number.isFinite(first)) return empty("the cycle has not started yet", metric);
  const startMs = Math.min(anomalies.windowStart ? Date.parse(anomalies.windowStart) : Infinity, first - DEFAULT_LOOKBACK_MS);
  // A running cycle is drawn up to now; a finished one a little past its end.
  const endMs = cycle.finishedAt ? Math.min(Math.max(...times) + 10 * 60_000, ap.platform.clock.now().getTime()) : ap.platform.clock.now().getTime();
  const minutes = Math.max(10, Math.ceil((endMs - startMs) / 60_000));
  const stepSeconds = Math.max(15, Math.ceil((minutes * 60) / CHART_POINTS));
  const result = await ap.gate.execute({
    principal,
    tool: "prometheus_query_range",
    input: { query, minutes, end: new Date(endMs).toISOString(), step_seconds: stepSeconds, samples: CHART_POINTS + 1 },
    scope: outsideCycleScope(cycle.environment as Environment),
  });
  const window = { start: new Date(endMs - minutes * 60_000).toISOString(), end: new Date(endMs).toISOString(), step_seconds: stepSeconds };
  if (result.status !== "executed") return { ...empty(result.status === "invalid" ? result.message : `the policy refused the query: ${result.decision.reasons.join("; ")}`, metric), window };
  const outcome = result.outcome;
  if (outcome.status !== "success") return { ...empty(outcome.summary, metric), window };
  const data = outcome.data as { series: { samples: [string, number | string][] }[] };
  const series = (data.series[0]?.samples ?? []).filter((p): p is [string, number] => typeof p[1] === "number").map(([t, v]) => ({ t, v }));
  return { metric, unavailable: null, window, series, anomalies: anomalies.flagged, marks };
}

/** The findings of a cycle that has not finished, from its checkpoint, as its report will list them. */
async function liveFindings(ap: Pick<Autopilot, "graph">, cycleId: string): Promise<Record<string, unknown>> {
  const snapshot = await ap.graph.getState({ configurable: { thread_id: cycleId } });
  return latestFindings({ findings: (snapshot.values as Partial<CycleStateType>).findings ?? [] });
}
