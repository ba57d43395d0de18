import type { ChatBriefContext } from "../../prompts/index.js";

/**
 * What the chat runbook understood an operator to ask. The patterns, first match wins:
 *
 *   intent      recognised by                                          e.g.
 *   cycle       a cycle id (si_YYYY_MM_DD_NNN); "audit"/"trail"/"log"   "show me cycle si_2026_11_20_001", "audit of si_…"
 *   refuse      approve/reject, the kill switch, flags, a rollback       "approve ap_1", "roll back search", "turn off the kill switch"
 *               asked for (these are people's actions, not the chat's)
 *   request     retrain/train/fine-tune/fix/improve/reduce/speed up/     "retrain the reranker on last week's data"
 *               start|run|request|trigger a cycle/investigate, asked
 *               for (at the start, or after "can you"/"please")
 *   last_cycle  last/latest/previous/recent cycle, "why did … roll       "why did the last cycle roll back?"
 *               back/escalate/fail"
 *   approvals   "pending", "approval(s)", "waiting for"                  "what is pending approval?"
 *   cycles      "cycles" with list/show/running/queued/failed/recent     "list the running cycles"
 *   metric      a signal's words (p95, latency, ndcg, relevance, recall,  "what is p95 latency of search now?",
 *               backlog, cost, satisfaction); "anomal" for the detector  "any anomaly in search relevance?"
 *   help        anything else
 *
 * A service is named by its catalog name, its app or a word of its model ("reranker"), or is the
 * only catalogued one, or the one named earlier in the conversation.
 */
export type ChatIntent =
  | { kind: "cycle"; cycleId: string; audit: boolean }
  | { kind: "refuse"; what: "approve" | "kill_switch" | "flags" | "rollback" }
  | { kind: "approvals" }
  | { kind: "request"; service: string | null; signal: string | null; reason: string; window: boolean }
  | { kind: "last_cycle"; outcome: "rolled_back" | "escalated" | null }
  | { kind: "cycles"; status: "queued" | "running" | "awaiting_approval" | "completed" | "failed" | null }
  | { kind: "metric"; service: string | null; signal: string; anomalies: boolean }
  | { kind: "help" };

/** Words that name each signal of the trigger contract. */
const SIGNAL_WORDS: Array<[string, RegExp]> = [
  ["latency_p95", /\b(p95|latency|slow(er|ness)?|response times?|fast(er)?)\b/],
  ["recall_drop", /\brecall\b/],
  ["ndcg_drop", /\b(ndcg|relevance|ranking quality|search quality)\b/],
  ["etl_backlog", /\b(backlog|etl|ingestion|crawl(ing|er)?)\b/],
  ["cost", /\b(cost|costs|spend|spending|budget|price|expensive|cheaper)\b/],
  ["nps", /\b(nps|satisfaction|survey)\b/],
];

const CYCLE_ID = /\bsi_\d{4}_\d{2}_\d{2}_\d{3,}\b/;
const IMPERATIVE = String.raw`^(please\s+)?|\b(can|could|would|will)\s+you\s+(please\s+)?|\b(i want you to|go ahead and)\s+`;
const asked = (verbs: string) => new RegExp(`(${IMPERATIVE})(${verbs})\\b`);
const CHANGE_VERBS = String.raw`re-?train|train|fine-?tune|fix|improve|reduce|lower|speed\s+up|optimi[sz]e|investigate|start|run|request|trigger|kick\s+off|launch`;

/** Recognises the intent of `question`; `earlier` are the conversation's earlier questions, oldest first. */
export function recognise(question: string, context: ChatBriefContext, earlier: readonly string[] = []): ChatIntent {
  const q = question.toLowerCase().replace(/\s+/g, " ").trim();
  const cycleId = CYCLE_ID.exec(q)?.[0];
  if (cycleId) return { kind: "cycle", cycleId, audit: /\b(audit|trail|log|decisions?)\b/.test(q) };

  if (asked("approve|reject|deny").test(q)) return { kind: "refuse", what: "approve" };
  if (/\bkill[- ]?switch\b/.test(q) || asked("stop|pause|resume|halt").test(q)) return { kind: "refuse", what: "kill_switch" };
  if (/\b(feature )?flags?\b/.test(q) && asked("set|turn|enable|disable|switch|change").test(q)) return { kind: "refuse", what: "flags" };
  if (asked(String.raw`roll\s*back|revert|undo`).test(q)) return { kind: "refuse", what: "rollback" };

  const signal = signalOf(q, context);
  const service = serviceOf(q, context) ?? (context.services.length === 1 ? context.services[0]!.service : earlierService(earlier, context));
  if (new RegExp(`(${IMPERATIVE})(${CHANGE_VERBS})\\b`).test(q) || /\b(new|another) cycle\b/.test(q)) {
    // Retraining, with no signal named, is about relevance (the reranker's quality).
    const requested = signal ?? (/\b(re-?train|train|fine-?tune)\b/.test(q) ? "ndcg_drop" : null);
    return { kind: "request", service, signal: requested, reason: question.trim().slice(0, 500), window: /\b(last|past|previous) (week|month|day|\d+ days)|\byesterday\b|\bsince\b/.test(q) };
  }

  if (/\b(last|latest|previous|most recent|recent) (cycle|run|rollback)\b/.test(q) || /\bwhy did\b.*\b(roll(ed)?\s*back|escalate|fail)/.test(q)) {
    const outcome = /roll(ed)?\s*back|rollback/.test(q) ? "rolled_back" : /escalat/.test(q) ? "escalated" : null;
    return { kind: "last_cycle", outcome };
  }
  if (/\b(pending|approvals?|waiting for)\b/.test(q)) return { kind: "approvals" };
  if (/\bcycles\b/.test(q)) {
    const status = /awaiting|waiting/.test(q) ? "awaiting_approval" : /\brunning\b/.test(q) ? "running" : /\bqueued\b/.test(q) ? "queued" : /\bfailed\b/.test(q) ? "failed" : /\b(completed|finished)\b/.test(q) ? "completed" : null;
    return { kind: "cycles", status };
  }
  if (signal) return { kind: "metric", service, signal, anomalies: /\banomal/.test(q) };
  return { kind: "help" };
}

/** The first signal of the contract whose words the question uses. */
function signalOf(q: string, context: ChatBriefContext): string | null {
  const known = new Set(context.signals.map((s) => s.signal));
  for (const [signal, words] of SIGNAL_WORDS) if (known.has(signal) && words.test(q)) return signal;
  return null;
}

/** The catalogued service the question names: by name, app, or a word of its model's name. */
function serviceOf(q: string, context: ChatBriefContext): string | null {
  const words = new Set(q.split(/[^a-z0-9_-]+/).filter(Boolean));
  for (const s of context.services) {
    if (words.has(s.service.toLowerCase()) || words.has(s.app.toLowerCase()) || words.has(s.model.toLowerCase())) return s.service;
  }
  for (const s of context.services) {
    const parts = s.model.toLowerCase().split(/[-_]/).filter((p) => p.length > 3 && p !== s.service.toLowerCase());
    if (parts.some((p) => words.has(p) || words.has(`${p}s`))) return s.service;
  }
  return null;
}

function earlierService(earlier: readonly string[], context: ChatBriefContext): string | null {
  for (let i = earlier.length - 1; i >= 0; i--) {
    const found = serviceOf(earlier[i]!.toLowerCase(), context);
    if (found) return found;
  }
  return null;
}
