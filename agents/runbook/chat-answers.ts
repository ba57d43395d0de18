import type { ChatBriefContext } from "../../prompts/index.js";

/** A tool result of the current turn as the chat runbook reads it back. */
export interface ChatResult {
  tool: string;
  args: Record<string, unknown>;
  /** success, no_data, error, denied, approval_required. */
  status: string;
  summary: string;
  data: Record<string, unknown> | undefined;
  reasons: string[];
  approvalId: string | null;
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === "object" && !Array.isArray(v) ? (v as Rec) : {});
const list = (v: unknown): Rec[] => (Array.isArray(v) ? v.map(rec) : []);
const str = (v: unknown): string => (typeof v === "string" ? v : v === null || v === undefined ? "" : String(v));
const num = (v: unknown): string => (typeof v === "number" && Number.isFinite(v) ? (Math.abs(v) < 10 ? v.toFixed(3) : v.toFixed(1)) : str(v));
const minute = (iso: unknown): string => (typeof iso === "string" && iso.length >= 16 ? `${iso.slice(0, 16).replace("T", " ")} UTC` : str(iso));

/** What the chat can do, for a greeting or a question it does not recognise. */
export function helpText(context: ChatBriefContext): string {
  const services = context.services.map((s) => s.service).join(", ") || "none";
  const signals = context.signals.filter((s) => s.requestable).map((s) => s.signal).join(", ");
  return [
    "I can answer these (I use the runbook model: no LLM is configured, so I recognise questions by their words):",
    '- "why did the last cycle roll back?" or "what happened in the last cycle?"',
    '- "show me cycle si_YYYY_MM_DD_NNN" (add "audit" for its audit trail), "list the running cycles"',
    '- "what is p95 latency of search now?" (also NDCG/relevance, recall, backlog, cost, satisfaction; "anomalies" for the detector)',
    '- "what is pending approval?"',
    '- "retrain the reranker" or "reduce the latency of search": I request a cycle, which the policies run, put to an approver, or refuse',
    `Services: ${services}. Signals: ${signals}. Environment: ${context.environment}.`,
    "Approving, rolling back by hand, the kill switch and feature flags are done by people in the console or the API, not by me.",
  ].join("\n");
}

/** Why the chat does not do what was asked, and who does. */
export function refusalText(what: "approve" | "kill_switch" | "flags" | "rollback"): string {
  switch (what) {
    case "approve":
      return "I cannot approve or reject: an operator decides each request in the console (Approvals), with `npx autopilot approve <id>`, or through POST /api/v1/approvals/<id>/approve. Ask me \"what is pending approval?\" to see them.";
    case "kill_switch":
      return "I cannot stop or resume the autopilot: the kill switch is an admin's, in the console or through POST /api/v1/optimizer/stop and /resume.";
    case "flags":
      return "I cannot change feature flags: admins set them in the console or through PUT /api/v1/flags/<environment>/<name>.";
    case "rollback":
      return "I do not roll back by hand: a cycle rolls a degraded deploy back on its own, and an admin can roll an application back through POST /api/v1/optimizer/rollback. I can request a cycle for the signal that worries you (\"fix the latency of search\").";
  }
}

/** A cycle and its report digest (autopilot_get_cycle's data) in a few sentences. */
export function explainCycle(data: Rec | undefined, summary: string): string {
  const cycle = rec(data?.cycle);
  const report = data?.report ? rec(data.report) : null;
  if (!report) return `${summary}.`;
  const lines = [`Cycle ${str(cycle.id)} (${str(cycle.service) || "no service"}, ${str(cycle.signal) || str(cycle.alertname) || "no signal"}, ${str(cycle.environment)}) ended ${str(report.outcome)}: ${str(report.outcome_reason)}`];
  const findings = rec(report.findings);
  const watch = rec(findings.watch);
  for (const b of list(watch.breaches).slice(0, 3)) {
    lines.push(`The watch after the deploy found ${str(b.metric)} at ${num(b.value)} at ${minute(b.at)}, against ${str(b.rule)} (threshold ${num(b.threshold)}).`);
  }
  const rollback = rec(findings.rollback);
  if (rollback.app) lines.push(`The rollback took ${str(rollback.app)} back to Argo CD history ${str(rollback.to_history_id)}: model v${str(rollback.model_version)} serves (${str(rollback.health) || "health unknown"}).`);
  const evaluation = rec(findings.evaluation);
  if (str(report.outcome) === "escalated" && evaluation.passed === false) lines.push("The candidate failed its quality gate.");
  const failure = rec(report.failure);
  if (failure.tool) lines.push(`It stopped at ${str(failure.step)} on ${str(failure.tool)}: ${str(failure.message)}.`);
  for (const a of list(report.actions_not_successful).slice(0, 3)) lines.push(`${str(a.tool)} (${str(a.step)}) was ${str(a.status)}: ${str(a.summary)}`);
  const steps = list(report.steps).map((s) => `${str(s.step)}${s.status === "done" ? "" : ` (${str(s.status)})`}`);
  if (steps.length) lines.push(`Steps: ${steps.join(", ")}.`);
  return lines.join("\n");
}

/** A page of a cycle's audit trail, its decisions first. */
export function explainAudit(data: Rec | undefined, summary: string): string {
  const entries = list(data?.entries);
  const notable = entries.filter((e) => e.decision === "deny" || e.decision === "require_approval" || e.kind === "cycle_finished").slice(0, 5);
  const lines = [`${summary}.`];
  for (const e of notable) {
    const d = rec(e.data);
    const reasons = Array.isArray(d.reasons) ? ` because ${d.reasons.map(str).join("; ")}` : "";
    lines.push(`#${str(e.seq)} ${str(e.actor)} ${str(e.kind)}${e.tool ? ` ${str(e.tool)}` : ""}: ${str(e.decision)}${reasons}`);
  }
  if (data?.next_after_seq) lines.push(`More entries follow (after seq ${str(data.next_after_seq)}).`);
  return lines.join("\n");
}

/** The pending approvals, each with what waits and why. */
export function explainApprovals(data: Rec | undefined): string {
  const approvals = list(data?.approvals);
  if (approvals.length === 0) return "No approval is pending.";
  const lines = [`${str(data?.total)} approval${approvals.length === 1 ? "" : "s"} wait${approvals.length === 1 ? "s" : ""}:`];
  for (const a of approvals) {
    const by = rec(a.requested_by);
    const reasons = Array.isArray(a.reasons) ? a.reasons.map(str).join("; ") : "";
    const what = a.cycle_id ? `cycle ${str(a.cycle_id)}` : `requested by ${str(by.id) || "someone"}`;
    lines.push(`- ${str(a.id)}: ${str(a.tool)} ${JSON.stringify(a.input)} (${what}), expires ${minute(a.expires_at)}${reasons ? `; the policy asks because ${reasons}` : ""}`);
  }
  lines.push("Approve or reject them in the console or with `npx autopilot approve <id>`.");
  return lines.join("\n");
}

/** What became of a cycle request: queued, joined, waiting for an approval, or refused. */
export function explainRequest(result: ChatResult, window: boolean): string {
  const note = window ? " The loop trains on the catalogued dataset, augmented where it finds weak segments; it cannot pick a date range, so your window is kept only in the request's reason." : "";
  const caveat = " It first confirms the signal, so a healthy signal ends without a change, and each of its steps passes the policy gate.";
  switch (result.status) {
    case "success":
      return result.data?.disposition === "started" ? `${result.summary}.${caveat}${note}` : `${result.summary}.${note}`;
    case "approval_required":
      return `Your request waits for an approval: ${result.approvalId} (${result.reasons.join("; ")}). An operator approves it in the console or with \`npx autopilot approve ${result.approvalId}\`; the cycle is queued then.${note}`;
    case "denied":
      return `The policy refused the request: ${result.reasons.join("; ")}.`;
    default:
      return `The request did not go through: ${result.summary}`;
  }
}

/** A list of cycles (autopilot_list_cycles' data). */
export function explainCycles(data: Rec | undefined, summary: string): string {
  const cycles = list(data?.cycles);
  if (cycles.length === 0) return `There are ${summary}.`;
  const lines = cycles.map((c) => `- ${str(c.id)}: ${str(c.status)}${c.outcome ? `, ${str(c.outcome)}` : ""} (${str(c.service) || "no service"}, ${str(c.signal) || str(c.alertname)}), created ${minute(c.created_at)}`);
  return [`${cycles.length} cycle${cycles.length === 1 ? "" : "s"}, newest first:`, ...lines].join("\n");
}

/** A signal's current value (prometheus_get_signal) or its anomalies (prometheus_detect_anomalies). */
export function explainMetric(result: ChatResult, context: ChatBriefContext): string {
  if (result.status !== "success") return `I could not read it: ${result.summary}`;
  const data = rec(result.data);
  const unit = context.signals.find((s) => s.signal === data.signal)?.unit;
  if (result.tool === "prometheus_get_signal") {
    return `${result.summary}. Read from ${str(data.metric)} at ${minute(data.at)}${unit ? `; the unit is ${unit}` : ""}.`;
  }
  return `${result.summary}.`;
}
