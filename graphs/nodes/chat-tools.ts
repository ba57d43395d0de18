import { ToolMessage, type AIMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { renderToolOutcome } from "../../tools/index.js";
import { outsideCycleScope, type GateResult, type Principal } from "../../policies/index.js";
import type { ChatGraphDeps, ChatStreamEvent } from "../chat-deps.js";
import type { ChatAction, ChatStateType, ChatUpdate } from "../chat-state.js";
import { principalOf } from "./chat-principal.js";

/** What the chat shows a model of one tool result; larger than a cycle's, since reports are read whole. */
const CHAT_OUTPUT_CAP = 12_000;

/**
 * Runs the model's tool calls one by one through the policy gate, as the operator. A call the gate
 * allows runs; one it puts to a human becomes an approval request (nothing runs until an operator
 * approves it); one it denies returns the policy's reasons. A tool outside the chat's list is
 * refused before the gate and audited. Each call is streamed as a `tool` event, and an approval
 * opened or a cycle queued as an `action` event.
 */
export function chatToolsNode(deps: ChatGraphDeps, allowed: ReadonlySet<string>) {
  return async (state: ChatStateType, config: LangGraphRunnableConfig): Promise<ChatUpdate> => {
    const principal = principalOf(config);
    const emit = (event: ChatStreamEvent) => config.writer?.(event);
    const last = state.messages.at(-1) as AIMessage;
    const calls = (last.tool_calls ?? []).map((c, i) => ({ id: c.id ?? `call_${i}`, name: c.name, args: c.args }));
    const messages: ToolMessage[] = [];
    const actions: ChatAction[] = [];
    for (const call of calls) {
      const at = deps.clock.now();
      let content: string;
      if (!allowed.has(call.name)) {
        const message = `the chat cannot call ${call.name}; its tools are: ${[...allowed].join(", ")}`;
        await deps.audit.append({ at, cycleId: null, kind: "tool_call_refused", actor: { type: principal.type, id: principal.id }, tool: call.name, decision: "deny", data: { via: "chat", conversation_id: state.conversationId, input: call.args, message } });
        emit({ type: "tool", tool: call.name, input: call.args, decision: "deny", status: "refused" });
        content = JSON.stringify({ status: "error", summary: message, error: { code: "tool_not_allowed", message, retryable: false } });
      } else {
        const result = await deps.gate.execute({ principal, tool: call.name, input: call.args, scope: outsideCycleScope(deps.environment), signal: config.signal });
        const action = await actionOf(deps, principal, call.name, result, state, at);
        if (action) actions.push(action);
        emit({ type: "tool", tool: call.name, input: call.args, decision: result.status === "invalid" ? null : result.decision.outcome, status: statusOf(result) });
        if (action) emit({ type: "action", kind: action.kind, id: action.id, summary: action.summary });
        content = contentOf(result, action);
      }
      messages.push(new ToolMessage({ tool_call_id: call.id, name: call.name, content }));
    }
    return { messages, actions, turn: { ...state.turn, toolCalls: state.turn.toolCalls + calls.length } };
  };
}

/** The approval a call the gate put to a human opened, or the cycle a request queued; null otherwise. */
async function actionOf(deps: ChatGraphDeps, principal: Principal, tool: string, result: GateResult, state: ChatStateType, at: Date): Promise<ChatAction | null> {
  const base = { turn: state.turn.number, tool, at: at.toISOString() };
  if (result.status === "approval_required") {
    const opened = await deps.approvals.open({ tool, input: result.input, callHash: result.callHash, principal, reasons: result.decision.reasons, conversationId: state.conversationId });
    return { ...base, kind: "approval", id: opened.id, summary: `${tool} waits for approval ${opened.id} (expires ${opened.expiresAt.toISOString()}): ${result.decision.reasons.join("; ")}` };
  }
  if (result.status !== "executed" || result.outcome.status !== "success" || deps.gate.tool(tool)?.flags.readOnly) return null;
  const cycleId = (result.outcome.data as { cycle_id?: unknown } | undefined)?.cycle_id;
  return typeof cycleId === "string" ? { ...base, kind: "cycle", id: cycleId, summary: result.outcome.summary } : null;
}

function statusOf(result: GateResult): string {
  return result.status === "executed" ? result.outcome.status : result.status;
}

/** The tool message a model reads: the outcome, or the gate's answer with its reasons and ids. */
function contentOf(result: GateResult, action: ChatAction | null): string {
  switch (result.status) {
    case "executed":
      return renderToolOutcome(result.outcome, CHAT_OUTPUT_CAP);
    case "denied":
      return JSON.stringify({ status: "denied", summary: `The policy denied this call: ${result.decision.reasons.join("; ")}`, reasons: result.decision.reasons, hard_stop: result.decision.hardStop });
    case "approval_required":
      return JSON.stringify({
        status: "approval_required",
        summary: `This call did not run: it waits for a human's approval (${action?.id}). ${result.decision.reasons.join("; ")}`,
        approval_id: action?.id ?? null,
        reasons: result.decision.reasons,
      });
    case "invalid":
      return JSON.stringify({ status: "error", summary: result.message, error: { code: "invalid_call", message: result.message, retryable: false } });
  }
}
