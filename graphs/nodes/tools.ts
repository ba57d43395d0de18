import { ToolMessage, type AIMessage } from "@langchain/core/messages";
import { tool as lcTool } from "@langchain/core/tools";
import { interrupt, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { z } from "zod";
import { FINDING_SCHEMAS, type ArtifactRef } from "../../core/index.js";
import { renderToolOutcome, type ToolErrorInfo, type ToolOutcome } from "../../tools/index.js";
import type { CallScope, GateResult, Principal } from "../../policies/index.js";
import { toolsFor } from "../../agents/index.js";
import type { CycleGraphDeps } from "../deps.js";
import { latestFinding } from "../routes.js";
import type { ActionError, ActionRecord, ApprovalRecord, CycleStateType, CycleUpdate, FindingRecord, PolicyStop } from "../state.js";

/** What an operator answered to an approval request (the value a cycle resumes with). */
export interface ApprovalAnswer {
  approval_id: string;
  decision: "approved" | "rejected" | "expired";
  by: string | null;
  reason: string | null;
}

/** What a cycle waiting for approval shows (the value of its interrupt). */
export interface ApprovalInterrupt {
  type: "approval_required";
  approval_id: string;
  cycle_id: string;
  agent: string;
  step: string;
  tool: string;
  input: Record<string, unknown>;
  reasons: string[];
  expires_at: string;
}

type Call = { id: string; name: string; args: Record<string, unknown> };

/**
 * Runs the active agent's tool calls through the policy gate. Calls that need a human's approval
 * pause the cycle with `interrupt()` BEFORE any call of the batch runs, so resuming (which re-runs
 * this node) never repeats a side effect; the approval id then binds the exact call.
 */
export function toolsNode(deps: CycleGraphDeps) {
  const byAgent = new Map(deps.team.map((a) => [a.id, a] as const));
  return async (state: CycleStateType, config: LangGraphRunnableConfig): Promise<CycleUpdate> => {
    const task = state.task!;
    const principal: Principal = { type: "Agent", id: task.agent };
    const last = state.messages[state.messages.length - 1] as AIMessage;
    const calls: Call[] = (last.tool_calls ?? []).map((c, i) => ({ id: c.id ?? `call_${i}`, name: c.name, args: c.args }));
    const profile = byAgent.get(task.agent);
    const allowedTools = new Set(profile ? toolsFor(profile, task.step, state.trigger.signal) : []);
    let scope = scopeOf(state);

    // 1. Pre-flight: learn which calls need a human before anything runs.
    const approvalIds = new Map<string, string>();
    const approvals: ApprovalRecord[] = [];
    for (const call of calls) {
      if (!allowedTools.has(call.name)) continue;
      const check = await deps.gate.check({ principal, tool: call.name, input: call.args, scope });
      if (check.decision?.outcome !== "require_approval" || !check.callHash) continue;
      const request = await deps.approvals.open({
        cycleId: state.cycleId,
        tool: call.name,
        input: deps.gate.tool(call.name)!.input.parse(call.args),
        callHash: check.callHash,
        principal,
        reasons: check.decision.reasons,
      });
      const answer = interrupt<ApprovalInterrupt, ApprovalAnswer>({
        type: "approval_required",
        approval_id: request.id,
        cycle_id: state.cycleId,
        agent: task.agent,
        step: task.step,
        tool: call.name,
        input: call.args,
        reasons: check.decision.reasons,
        expires_at: request.expiresAt.toISOString(),
      });
      approvals.push({ id: request.id, tool: call.name, step: task.step, status: answer.decision, by: answer.by, reason: answer.reason, at: deps.clock.now().toISOString() });
      if (answer.decision !== "approved") return rejected(state, calls, call, answer, approvals, deps.clock.now());
      // The answer names the approval the operator decided; the call runs under exactly that one.
      approvalIds.set(call.id, answer.approval_id);
    }

    // 2. Execute in order, each through the gate (which audits the decision before running).
    const messages: ToolMessage[] = [];
    const actions: ActionRecord[] = [];
    const findings: FindingRecord[] = [];
    const artifacts: ArtifactRef[] = [];
    const stops: PolicyStop[] = [];
    let sequence = state.actions.length;
    for (const call of calls) {
      const startedAt = deps.clock.now();
      let result: GateResult;
      if (allowedTools.has(call.name)) {
        result = await traced(call, config, () =>
          deps.gate.execute({ principal, tool: call.name, input: call.args, scope, approvalId: approvalIds.get(call.id), signal: config.signal }),
        );
      } else {
        // Outside the step's tools: refused before the gate, and on record (an injected instruction shows here).
        const message = `${task.agent} may not call ${call.name} in step ${task.step}; its tools there are: ${[...allowedTools].join(", ")}`;
        await deps.audit.append({ at: startedAt, cycleId: state.cycleId, kind: "tool_call_refused", actor: { type: "Agent", id: task.agent }, tool: call.name, decision: "deny", data: { step: task.step, input: call.args, message } });
        result = { status: "invalid", callHash: null, message };
      }
      const action = actionOf(++sequence, task, call, result, startedAt, approvalIds.get(call.id));
      if (result.status === "executed" && result.outcome.status === "success") {
        const recorded = recordFinding(task, call.name, result.outcome, deps, startedAt);
        if (recorded.finding) findings.push(recorded.finding);
        if (recorded.problem) action.summary += ` (${recorded.problem})`;
        if (result.outcome.artifacts?.length) artifacts.push(...(await deps.artifacts.put(state.cycleId, result.outcome.artifacts, deps.clock.now())));
      }
      if (result.status === "denied") stops.push({ tool: call.name, step: task.step, reasons: result.decision.reasons, hardStop: result.decision.hardStop, at: startedAt.toISOString() });
      actions.push(action);
      messages.push(new ToolMessage({ tool_call_id: call.id, name: call.name, content: contentOf(result) }));
      scope = scopeOf({ ...state, findings: [...state.findings, ...findings] });
    }
    return {
      messages,
      actions,
      findings,
      artifacts,
      stops,
      approvals,
      usage: { modelCalls: 0, toolCalls: calls.length, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    };
  };
}

/** The facts of the cycle the gate decides on, from recorded findings only. */
export function scopeOf(state: Pick<CycleStateType, "cycleId" | "environment" | "task" | "findings" | "usage">): CallScope {
  const evaluation = latestFinding(state, "evaluation")?.data as { passed?: boolean; needs_approval?: boolean } | undefined;
  return {
    cycleId: state.cycleId,
    environment: state.environment,
    phase: state.task?.phase ?? "none",
    gatePassed: evaluation?.passed === true,
    gateNeedsApproval: evaluation?.needs_approval === true,
    spentUsd: state.usage.costUsd,
  };
}

/** Runs `fn` as a LangChain tool run, so traces show every tool call under its agent. */
async function traced(call: Call, config: LangGraphRunnableConfig, fn: () => Promise<GateResult>): Promise<GateResult> {
  let result: GateResult | undefined;
  const runnable = lcTool(
    async () => {
      result = await fn();
      return contentOf(result);
    },
    { name: call.name, description: `gated call of ${call.name}`, schema: z.object({}).passthrough() },
  );
  await runnable.invoke(call.args, { ...config, runName: call.name });
  return result!;
}

function recordFinding(task: NonNullable<CycleStateType["task"]>, toolName: string, outcome: ToolOutcome & { status: "success" }, deps: CycleGraphDeps, at: Date) {
  const kind = deps.gate.tool(toolName)?.finding;
  if (!kind) return {};
  const parsed = FINDING_SCHEMAS[kind].safeParse(outcome.data);
  if (!parsed.success) return { problem: `its ${kind} finding was not recorded: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}` };
  const finding: FindingRecord = { kind, step: task.step, phase: task.phase, tool: toolName, at: at.toISOString(), data: parsed.data as Record<string, unknown> };
  return { finding };
}

function contentOf(result: GateResult): string {
  switch (result.status) {
    case "executed":
      return renderToolOutcome(result.outcome);
    case "denied":
      return JSON.stringify({ status: "denied", summary: `The policy denied this call: ${result.decision.reasons.join("; ")}`, hard_stop: result.decision.hardStop });
    case "approval_required":
      return JSON.stringify({ status: "approval_required", summary: `This call waits for a human's approval: ${result.decision.reasons.join("; ")}` });
    case "invalid":
      return JSON.stringify({ status: "error", summary: result.message, error: { code: "invalid_call", message: result.message, retryable: false } });
  }
}

function actionOf(sequence: number, task: NonNullable<CycleStateType["task"]>, call: Call, result: GateResult, startedAt: Date, approvalId: string | undefined): ActionRecord {
  const base = {
    sequence,
    phase: task.phase,
    step: task.step,
    agent: task.agent,
    tool: call.name,
    startedAt: startedAt.toISOString(),
    approvalId,
  };
  switch (result.status) {
    case "executed":
      return {
        ...base,
        status: result.outcome.status,
        decision: result.decision.outcome,
        reasons: result.decision.reasons,
        summary: result.outcome.summary,
        durationSec: result.durationMs / 1000,
        ids: idsOf(result.outcome),
        ...(result.outcome.status === "error" ? { error: actionError(result.outcome.error) } : {}),
      };
    case "denied":
      return { ...base, status: "denied", decision: "deny", reasons: result.decision.reasons, summary: result.decision.reasons.join("; "), durationSec: 0, ids: {} };
    case "approval_required":
      return { ...base, status: "approval_required", decision: "require_approval", reasons: result.decision.reasons, summary: "waiting for approval", durationSec: 0, ids: {} };
    case "invalid":
      return { ...base, status: "invalid", decision: "none", reasons: [result.message], summary: result.message, durationSec: 0, ids: {} };
  }
}

/** The structured part of a tool error, with the upstream message bounded. */
function actionError(e: ToolErrorInfo): ActionError {
  return {
    code: e.code,
    message: e.message.slice(0, 500),
    ...(e.system ? { system: e.system } : {}),
    ...(e.request ? { request: e.request } : {}),
    ...(e.upstream_status !== undefined ? { upstream_status: e.upstream_status } : {}),
    retryable: e.retryable,
  };
}

/** The ids a report lists for an action, taken from well-known fields of the tool's data. */
function idsOf(outcome: ToolOutcome): ActionRecord["ids"] {
  if (outcome.status !== "success" || !outcome.data || typeof outcome.data !== "object") return {};
  const d = outcome.data as Record<string, unknown>;
  const ids: ActionRecord["ids"] = {};
  if (typeof d.md5 === "string") ids.dvc_hash = d.md5;
  if (typeof d.run_id === "string") ids.mlflow_run_id = d.run_id;
  const version = d.model_version ?? d.version;
  if (typeof version === "string" || typeof version === "number") ids.model_version = String(version);
  if (typeof d.revision === "string") ids.argocd_revision = d.revision;
  return ids;
}

/**
 * An approval that was rejected or expired: nothing of the batch runs, and the refusal is recorded
 * as a policy stop of the step, so the supervisor withdraws what the cycle deployed and escalates
 * with the operator's reason.
 */
function rejected(state: CycleStateType, calls: Call[], call: Call, answer: ApprovalAnswer, approvals: ApprovalRecord[], now: Date): CycleUpdate {
  const task = state.task!;
  const why = answer.decision === "expired" ? `the approval request for ${call.name} expired` : `${answer.by ?? "an operator"} rejected ${call.name}${answer.reason ? `: ${answer.reason}` : ""}`;
  const at = now.toISOString();
  return {
    approvals,
    actions: [
      {
        sequence: state.actions.length + 1,
        phase: task.phase,
        step: task.step,
        agent: task.agent,
        tool: call.name,
        status: "rejected",
        decision: "require_approval",
        reasons: [why],
        summary: why,
        startedAt: at,
        durationSec: 0,
        ids: {},
        approvalId: answer.approval_id,
      },
    ],
    stops: [{ tool: call.name, step: task.step, reasons: [why], hardStop: false, at }],
    messages: calls.map((c) => new ToolMessage({ tool_call_id: c.id, name: c.name, content: JSON.stringify({ status: "rejected", summary: `Not run: ${why}.` }) })),
  };
}
