import { CycleReportSchema, type CycleReport } from "../../graphs/index.js";
import type { RunDecision, ScenarioRun } from "../../evals/scorers/index.js";
import type { AuditRow } from "../store/index.js";
import type { Autopilot } from "../autopilot.js";

/** What a played scenario left in the store, as the scorers read it. */
export type CollectedRun = Pick<ScenarioRun, "cycles" | "decisions" | "approvals">;

const PAGE = 1000;

/** Reads the cycles (oldest first, reports parsed), the gate's decisions and the approvals from a scenario's store. */
export async function collectRun(ap: Autopilot): Promise<CollectedRun> {
  const audit = await allAudit(ap);
  const rows = await ap.store.cycles.list({ limit: PAGE });
  const cycles = rows.reverse().map((c) => ({ id: c.id, status: c.status, outcome: c.outcome, report: parseReport(c.report) }));
  const decisions: RunDecision[] = audit
    .filter((r) => r.kind === "policy_decision" || r.kind === "tool_call_invalid")
    .map((r) => ({ principal: r.actor, tool: r.tool, decision: r.decision ?? "", phase: phaseOf(r), cycleId: r.cycleId }));
  const approvals: ScenarioRun["approvals"] = [];
  for (const r of audit.filter((row) => row.kind === "approval_requested")) {
    const id = (r.data as { approval_id?: string } | null)?.approval_id;
    const row = id ? await ap.store.approvals.get(id) : null;
    // An approval whose call then ran is `used` in the store: for the scorers it was approved.
    if (row) approvals.push({ id: row.id, tool: row.tool, status: row.status === "used" ? "approved" : row.status });
  }
  return { cycles, decisions, approvals };
}

async function allAudit(ap: Autopilot): Promise<AuditRow[]> {
  const out: AuditRow[] = [];
  for (;;) {
    const page = await ap.store.audit.list({ afterSeq: out.at(-1)?.seq ?? 0, limit: PAGE });
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}

// Stored as jsonb, the report comes back with its keys reordered; the schema restores its shape.
function parseReport(report: unknown): CycleReport | null {
  const parsed = CycleReportSchema.safeParse(report);
  return parsed.success ? parsed.data : null;
}

function phaseOf(row: AuditRow): string | null {
  const phase = (row.data as { phase?: unknown } | null)?.phase;
  return typeof phase === "string" ? phase : null;
}
