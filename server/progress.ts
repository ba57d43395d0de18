import type { AuditEvent } from "./autopilot.js";

/**
 * Turns audit events into one line per step: time, cycle, agent, tool, policy decision, result.
 * A tool call is one line when its result arrives; a call that never runs (denied, waiting for a
 * human) is one line at its decision.
 */
export function createProgressPrinter(write: (line: string) => void): (event: AuditEvent) => void {
  const decisions = new Map<string, string>();
  const stamp = (e: AuditEvent) => e.at.toISOString().slice(11, 19);
  const line = (e: AuditEvent, agent: string, what: string) => write(`[${stamp(e)}] ${e.cycleId ?? "-"}  ${agent.padEnd(15)}  ${what}`);
  return (e) => {
    const d = (e.data ?? {}) as Record<string, unknown>;
    const key = `${e.cycleId}:${e.actor.id}:${e.tool}`;
    switch (e.kind) {
      case "cycle_started": {
        const t = (d.trigger ?? {}) as Record<string, unknown>;
        return line(e, "supervisor", `cycle started by ${t.alertname ?? "an alert"} (signal ${t.signal ?? "unknown"}, service ${t.service ?? "unknown"}, environment ${d.environment})`);
      }
      case "supervisor_decision": {
        const move = d.move as { move: string; step?: string; agent?: string; outcome?: string; why?: string } | undefined;
        if (move?.move === "finish") return line(e, "supervisor", `finish as ${move.outcome}: ${move.why ?? ""}`);
        return line(e, "supervisor", `assign ${move?.step} to ${move?.agent}`);
      }
      case "policy_decision":
        if (e.decision === "allow") {
          decisions.set(key, "allow");
          return;
        }
        return line(e, e.actor.id, `${(e.tool ?? "").padEnd(30)} ${String(e.decision).padEnd(16)} not run: ${((d.reasons as string[]) ?? []).join("; ")}`);
      case "tool_result": {
        const decision = decisions.get(key) ?? "allow";
        decisions.delete(key);
        const secs = typeof d.duration_ms === "number" ? ` (${(d.duration_ms / 1000).toFixed(2)}s)` : "";
        return line(e, e.actor.id, `${(e.tool ?? "").padEnd(30)} ${decision.padEnd(16)} ${String(d.status).padEnd(8)} ${String(d.summary ?? "").slice(0, 160)}${secs}`);
      }
      case "approval_requested":
        return line(e, e.actor.id, `${(e.tool ?? "").padEnd(30)} require_approval waiting for a human (approval ${d.approval_id})`);
      case "approval_decided":
        return line(e, e.actor.id, `${(e.tool ?? "").padEnd(30)} ${String(e.decision).padEnd(16)} ${d.reason ?? ""}`);
      case "cycle_finished":
        return line(e, "supervisor", `cycle finished: ${e.decision} (${d.reason ?? ""})`);
      default:
        return;
    }
  };
}
