import { clip, compact } from "./tool-support.js";

/** A step of a cycle as the digest lists it. */
export interface DigestStep {
  step: string;
  agent: string;
  attempt: number;
  status: string;
  summary: string;
}

/** A tool call of a cycle that did not simply succeed (denied, failed, waiting, refused). */
export interface DigestAction {
  sequence: number;
  step: string;
  tool: string;
  status: string;
  decision: string;
  reasons: string[];
  summary: string;
}

/**
 * What a cycle report says, small enough for a model's context: the outcome and why, the steps
 * with their summaries, the findings that explain an outcome (each cut to a bound), the calls that
 * did not succeed, and the approvals. The full report stays at GET /api/v1/cycles/:id.
 */
export interface ReportDigest {
  outcome: string | null;
  outcome_reason: string;
  trigger: unknown;
  failure: unknown;
  steps: DigestStep[];
  findings: Record<string, unknown>;
  actions_total: number;
  actions_not_successful: DigestAction[];
  approvals: unknown[];
  rollback_available: boolean;
  model: string | null;
  total_cost_usd: number | null;
}

// The findings an operator asks about first (why it rolled back, what the gate said), in loop order.
const FINDING_ORDER = ["monitor", "diagnosis", "anomalies", "dataset", "candidate", "evaluation", "deployment", "ab_test", "watch", "rollback", "baseline"];
const FINDING_CHARS = 900;
const SUMMARY_CHARS = 300;

/** Digests a stored cycle report (read defensively: reports of older versions may lack fields). */
export function digestReport(report: Record<string, unknown>): ReportDigest {
  const steps = arrayOf(report.steps).map((s) => ({
    step: text(s.step),
    agent: text(s.agent),
    attempt: typeof s.attempt === "number" ? s.attempt : 1,
    status: text(s.status),
    summary: clip(text(s.summary), SUMMARY_CHARS),
  }));
  const actions = arrayOf(report.actions);
  const findings = (report.findings ?? {}) as Record<string, unknown>;
  const kinds = [...FINDING_ORDER.filter((k) => k in findings), ...Object.keys(findings).filter((k) => !FINDING_ORDER.includes(k))];
  return {
    outcome: typeof report.outcome === "string" ? report.outcome : null,
    outcome_reason: text(report.outcome_reason),
    trigger: report.trigger ?? null,
    failure: report.failure ?? null,
    steps,
    findings: Object.fromEntries(kinds.map((k) => [k, compact(findings[k], FINDING_CHARS)])),
    actions_total: actions.length,
    actions_not_successful: actions
      .filter((a) => a.status !== "success" && a.status !== "no_data")
      .map((a) => ({
        sequence: typeof a.sequence === "number" ? a.sequence : 0,
        step: text(a.step),
        tool: text(a.tool),
        status: text(a.status),
        decision: text(a.decision),
        reasons: Array.isArray(a.reasons) ? a.reasons.map((r) => clip(String(r), SUMMARY_CHARS)) : [],
        summary: clip(text(a.summary), SUMMARY_CHARS),
      })),
    approvals: Array.isArray(report.approvals) ? report.approvals : [],
    rollback_available: report.rollback_available === true,
    model: typeof report.model === "string" ? report.model : null,
    total_cost_usd: typeof report.total_cost === "number" ? report.total_cost : null,
  };
}

function arrayOf(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => Boolean(v) && typeof v === "object") : [];
}

function text(value: unknown): string {
  return typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
}
