import type { AIMessage, BaseMessage, ToolMessage } from "@langchain/core/messages";
import { parseBrief, type ChatBriefContext } from "../../prompts/index.js";
import { answer, call, type RunbookDecision } from "./decision.js";
import { recognise } from "./chat-intents.js";
import { explainApprovals, explainAudit, explainCycle, explainCycles, explainMetric, explainRequest, helpText, refusalText, type ChatResult } from "./chat-answers.js";

/**
 * The chat runbook's next move on a conversation: the tool calls that answer the operator's last
 * question (recognised by chat-intents.ts), one at a time, then the answer written from their
 * results. It reads tool results as data only: whatever a result says, the next move follows the
 * recognised intent, and every call still passes the policy gate.
 */
export function chatDecide(messages: readonly BaseMessage[]): RunbookDecision {
  const system = messages.find((m) => m.getType() === "system");
  const context = system ? parseBrief<ChatBriefContext>(textOf(system)) : null;
  if (!context) return answer("I could not read the deployment's context, so I cannot answer.");
  const humans = messages.map((m, i) => [m, i] as const).filter(([m]) => m.getType() === "human");
  const last = humans.at(-1);
  if (!last) return answer(helpText(context));
  const question = textOf(last[0]);
  const results = chatResults(messages.slice(last[1] + 1));
  const intent = recognise(question, context, humans.slice(0, -1).map(([m]) => textOf(m)));
  // A result of exactly this call (the same tool and arguments), if it was made this turn.
  const resultOf = (tool: string, args: Record<string, unknown>) =>
    results.findLast((r) => r.tool === tool && sameArgs(r.args, args));
  // Calls `tool` once, then answers with `then` of its result.
  const once = (tool: string, args: Record<string, unknown>, say: string, then: (r: ChatResult) => RunbookDecision | string) => {
    const r = resultOf(tool, args);
    if (!r) return call(tool, args, say);
    const next = then(r);
    return typeof next === "string" ? answer(next) : next;
  };
  const unavailable = (r: ChatResult) => (r.status === "denied" ? `The policy did not let me read it: ${r.reasons.join("; ")}.` : `I could not read it: ${r.summary}`);

  switch (intent.kind) {
    case "help":
      return answer(helpText(context));
    case "refuse":
      return answer(refusalText(intent.what));
    case "cycle": {
      const tool = intent.audit ? "autopilot_get_cycle_audit" : "autopilot_get_cycle";
      return once(tool, { cycle_id: intent.cycleId }, `Reading ${intent.cycleId}.`, (r) =>
        r.status !== "success" ? (r.status === "no_data" ? `${r.summary}.` : unavailable(r)) : intent.audit ? explainAudit(r.data, r.summary) : explainCycle(r.data, r.summary),
      );
    }
    case "approvals":
      return once("autopilot_list_approvals", {}, "Reading the pending approvals.", (r) => (r.status === "success" || r.status === "no_data" ? explainApprovals(r.data) : unavailable(r)));
    case "cycles": {
      const args = { limit: 10, ...(intent.status ? { status: intent.status } : {}) };
      return once("autopilot_list_cycles", args, "Listing cycles.", (r) => (r.status === "success" || r.status === "no_data" ? explainCycles(r.data, r.summary) : unavailable(r)));
    }
    case "last_cycle":
      return lastCycle(intent.outcome, resultOf, once, unavailable);
    case "metric": {
      if (!intent.service) return answer(`Which service? I know ${context.services.map((s) => s.service).join(", ")}.`);
      const tool = intent.anomalies ? "prometheus_detect_anomalies" : "prometheus_get_signal";
      return once(tool, { signal: intent.signal, service: intent.service }, `Reading ${intent.signal} of ${intent.service}.`, (r) => explainMetric(r, context));
    }
    case "request": {
      if (!intent.service) return answer(`Which service should the cycle be for? I know ${context.services.map((s) => s.service).join(", ")}.`);
      if (!intent.signal) {
        const signals = context.signals.filter((s) => s.requestable).map((s) => `${s.signal} (${s.title})`);
        return answer(`Which signal should the cycle fix? One of: ${signals.join(", ")}.`);
      }
      const args = { service: intent.service, signal: intent.signal, reason: intent.reason };
      return once("autopilot_request_cycle", args, `Requesting a cycle for ${intent.signal} of ${intent.service}.`, (r) => explainRequest(r, intent.window));
    }
  }
}

type Once = (tool: string, args: Record<string, unknown>, say: string, then: (r: ChatResult) => RunbookDecision | string) => RunbookDecision;

/** The latest cycle, then the latest with the outcome asked about when it is another, then its report. */
function lastCycle(outcome: string | null, resultOf: (tool: string, args: Record<string, unknown>) => ChatResult | undefined, once: Once, unavailable: (r: ChatResult) => string): RunbookDecision {
  const idOf = (r: ChatResult | undefined) => ((r?.data?.cycles as Array<{ id?: string }> | undefined)?.[0]?.id ?? null);
  return once("autopilot_list_cycles", { limit: 1 }, "Finding the latest cycle.", (latest) => {
    if (latest.status === "no_data") return "There are no cycles yet.";
    if (latest.status !== "success") return unavailable(latest);
    const first = (latest.data?.cycles as Array<{ id: string; outcome: string | null; status: string }>)[0]!;
    let target = first.id;
    let preface = "";
    if (outcome && first.outcome !== outcome) {
      const filtered = resultOf("autopilot_list_cycles", { outcome, limit: 1 });
      if (!filtered) return call("autopilot_list_cycles", { outcome, limit: 1 }, `Finding the latest cycle that ended ${outcome}.`);
      const id = idOf(filtered);
      const state = first.outcome ? `ended ${first.outcome}` : `is ${first.status.replace("_", " ")}`;
      if (!id) return `No cycle has ended ${outcome}. The latest cycle, ${first.id}, ${state}.`;
      target = id;
      preface = `The latest cycle, ${first.id}, ${state}; the last one that ended ${outcome} is ${id}.\n`;
    }
    return once("autopilot_get_cycle", { cycle_id: target }, `Reading ${target}.`, (r) => (r.status === "success" ? preface + explainCycle(r.data, r.summary) : unavailable(r)));
  });
}

/** The tool calls of `messages` paired with their results, read from the JSON the chat's tools node writes. */
function chatResults(messages: readonly BaseMessage[]): ChatResult[] {
  const calls = new Map<string, { name: string; args: Record<string, unknown> }>();
  const out: ChatResult[] = [];
  for (const m of messages) {
    if (m.getType() === "ai") for (const c of (m as AIMessage).tool_calls ?? []) if (c.id) calls.set(c.id, { name: c.name, args: c.args });
    if (m.getType() !== "tool") continue;
    const tm = m as ToolMessage;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(textOf(m)) as Record<string, unknown>;
    } catch {
      parsed = { status: "error", summary: textOf(m) };
    }
    const callOf = calls.get(tm.tool_call_id);
    out.push({
      tool: callOf?.name ?? tm.name ?? "unknown",
      args: callOf?.args ?? {},
      status: typeof parsed.status === "string" ? parsed.status : "error",
      summary: String(parsed.summary ?? ""),
      data: parsed.data && typeof parsed.data === "object" ? (parsed.data as Record<string, unknown>) : undefined,
      reasons: Array.isArray(parsed.reasons) ? parsed.reasons.map(String) : [],
      approvalId: typeof parsed.approval_id === "string" ? parsed.approval_id : null,
    });
  }
  return out;
}

function sameArgs(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(b);
  return Object.keys(a).length === keys.length && keys.every((k) => a[k] === b[k]);
}

/** The text of a message, whatever the shape of its content. */
function textOf(message: BaseMessage): string {
  const c = message.content;
  if (typeof c === "string") return c;
  return c.map((part) => (typeof part === "string" ? part : "text" in part ? String(part.text) : "")).join("");
}
