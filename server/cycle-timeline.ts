import type { AuditRow } from "./store/index.js";

/** What one line of a cycle's timeline records. */
export type TimelineKind = "cycle" | "supervisor" | "tool_call" | "approval" | "step";

/** One line of a cycle's timeline, as the console shows it. */
export interface TimelineStep {
  /** The audit seq of the line's first entry (the decision of a tool call). */
  seq: number;
  at: string;
  kind: TimelineKind;
  agent: string;
  /** The loop step the line belongs to (monitor, diagnose, ab_test.canary, ...), null before the first. */
  step: string | null;
  tool: string | null;
  /** The policy decision of a tool call (allow, deny, require_approval), or what a supervisor or human decided. */
  decision: string | null;
  reasons: string[];
  /** For a tool call: success, no_data, error, denied, awaiting_approval, running; otherwise what happened. */
  status: string;
  summary: string;
  input: unknown;
  duration_ms: number | null;
  approval_id: string | null;
}

type Data = Record<string, unknown>;

const text = (v: unknown): string => (typeof v === "string" ? v : "");
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/**
 * Folds a cycle's audit entries into its timeline: a tool call is one line from its policy decision
 * to its result (paired by call hash), so a call that is still running, waits for a human or was
 * denied shows as such; supervisor moves, approvals, finished steps and the cycle's start and end
 * are lines of their own. Entries must be in seq order.
 */
export function buildTimeline(rows: readonly AuditRow[]): TimelineStep[] {
  const out: TimelineStep[] = [];
  const openCalls = new Map<string, TimelineStep>();
  // The step each agent is working on: the supervisor's last assignment to it.
  const stepOf = new Map<string, string>();
  let current: string | null = null;
  for (const row of rows) {
    const d = (row.data ?? {}) as Data;
    const base = { seq: row.seq, at: row.atIso, agent: row.actor.id, tool: row.tool, input: null, duration_ms: null, approval_id: null };
    const stepFor = (agent: string) => stepOf.get(agent) ?? current;
    switch (row.kind) {
      case "cycle_started": {
        const t = (d.trigger ?? {}) as Data;
        out.push({ ...base, kind: "cycle", step: null, decision: null, reasons: [], status: "started", summary: `Started by ${text(t.alertname) || "an alert"} (signal ${text(t.signal) || "unknown"}, service ${text(t.service) || "unknown"})` });
        break;
      }
      case "supervisor_decision": {
        const move = (d.move ?? {}) as Data;
        if (move.move === "assign" && typeof move.step === "string") {
          current = move.step;
          if (typeof move.agent === "string") stepOf.set(move.agent, move.step);
        }
        const what = move.move === "finish" ? `Finish as ${text(move.outcome)}` : `Assign ${text(move.step)} to ${text(move.agent)}`;
        out.push({ ...base, kind: "supervisor", step: current, decision: row.decision, reasons: strings([move.why]), status: "decided", summary: what });
        break;
      }
      case "policy_decision": {
        const line: TimelineStep = {
          ...base,
          kind: "tool_call",
          step: stepFor(row.actor.id),
          decision: row.decision,
          reasons: strings(d.reasons),
          status: row.decision === "allow" ? "running" : row.decision === "deny" ? "denied" : "awaiting_approval",
          summary: row.decision === "allow" ? "" : `Not run: ${strings(d.reasons).join("; ")}`,
          input: d.input ?? null,
          approval_id: typeof d.approval_id === "string" ? d.approval_id : null,
        };
        out.push(line);
        if (row.decision === "allow" && typeof d.call_hash === "string") openCalls.set(d.call_hash, line);
        break;
      }
      case "tool_result": {
        const line = typeof d.call_hash === "string" ? openCalls.get(d.call_hash) : undefined;
        const result = { status: text(d.status) || row.decision || "unknown", summary: text(d.summary), duration_ms: typeof d.duration_ms === "number" ? d.duration_ms : null };
        if (line) {
          Object.assign(line, result);
          openCalls.delete(d.call_hash as string);
        } else {
          // A result whose decision is not in the list (a truncated page): shown on its own.
          out.push({ ...base, ...result, kind: "tool_call", step: stepFor(row.actor.id), decision: null, reasons: [] });
        }
        break;
      }
      case "tool_call_refused":
      case "tool_call_invalid":
        out.push({ ...base, kind: "tool_call", step: stepFor(row.actor.id), decision: "deny", reasons: [], status: row.kind === "tool_call_invalid" ? "invalid" : "refused", summary: text(d.message), input: d.input ?? null });
        break;
      case "approval_requested":
        out.push({ ...base, kind: "approval", step: stepFor(row.actor.id), decision: "require_approval", reasons: strings(d.reasons), status: "requested", summary: `Waiting for a human to approve ${row.tool ?? "the call"}`, approval_id: text(d.approval_id) || null });
        break;
      case "approval_decided":
        out.push({ ...base, kind: "approval", step: current, decision: row.decision, reasons: strings([d.reason]), status: row.decision ?? "decided", summary: `${row.actor.id} ${row.decision ?? "decided"} ${row.tool ?? "the call"}${text(d.reason) ? `: ${text(d.reason)}` : ""}`, approval_id: text(d.approval_id) || null });
        break;
      case "step_finished":
        out.push({ ...base, kind: "step", step: text(d.step) || stepFor(row.actor.id), decision: row.decision, reasons: [], status: row.decision ?? "finished", summary: text(d.summary) });
        break;
      case "cycle_finished":
        out.push({ ...base, kind: "cycle", step: null, decision: row.decision, reasons: strings([d.reason]), status: "finished", summary: `Finished: ${row.decision ?? "unknown"}${text(d.reason) ? ` (${text(d.reason)})` : ""}` });
        break;
      default:
        break;
    }
  }
  return out;
}
