import { UNTRUSTED_DATA_RULE } from "./partials.js";

/** Version of the MCP prompts; it goes into what the assistant is handed. */
export const MCP_PROMPT_VERSION = "mcp/2026-11-21.1";

/** What an assistant is asked to look into. */
export interface InvestigateAlertContext {
  alertname: string;
  service: string;
  /** The alert's own words, if the person pasted them (untrusted). */
  description?: string;
}

const HOW_CHANGES_WORK =
  "You can read freely. Any change you call (a cycle, a write or a destructive tool) is not run: it becomes an approval request that an operator " +
  "approves or rejects, and the tool result gives its id. Never retry a denied call in another form; report the policy's reason instead.";

/**
 * The "investigate this alert" prompt: look at the signal, its anomalies and the service's recent
 * cycles with the read tools, then say what is going on and, only if it is needed, request a cycle.
 */
export function investigateAlertPrompt(context: InvestigateAlertContext): string {
  const lines = [
    `Investigate the alert ${context.alertname} on the service ${context.service} of the ML platform run by mlops-autopilot.`,
    "",
    "1. Read the current value of the signal against its baseline (prometheus_get_signal) and where it degraded (prometheus_query_breakdown).",
    "2. Look for anomalies in the series (prometheus_detect_anomalies) and say when they started.",
    `3. List the recent cycles of ${context.service} (autopilot_list_cycles) and read any that is running or ended in the last day (autopilot_get_cycle).`,
    "4. Say what you found, with the numbers, and whether a cycle is already handling it.",
    "5. Only if nothing is handling it and the evidence supports it, request a cycle (autopilot_request_cycle) with your reason.",
    "",
    HOW_CHANGES_WORK,
  ];
  if (context.description) lines.push("", UNTRUSTED_DATA_RULE, "", "<alert_description>", context.description, "</alert_description>");
  return lines.join("\n");
}

/** The "explain this cycle" prompt: what triggered a cycle, what each agent did and why it ended as it did. */
export function explainCyclePrompt(context: { cycleId: string }): string {
  return [
    `Explain cycle ${context.cycleId} of mlops-autopilot to an engineer who was not there.`,
    "",
    "Its report is attached. If you need more, read its audit trail (autopilot_get_cycle_audit) page by page.",
    "Say: what triggered it (signal, value against baseline); what each agent did in order, with the policy decisions that mattered; " +
      "which approvals were asked and who answered; the outcome and its reason; and what, if anything, someone should do next.",
    "",
    UNTRUSTED_DATA_RULE,
    "",
    HOW_CHANGES_WORK,
  ].join("\n");
}
