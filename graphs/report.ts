import { z } from "zod";
import { OUTCOMES, ENVIRONMENTS } from "../core/index.js";
import { SPECIALIST_PROMPT_VERSION, SUPERVISOR_PROMPT_VERSION } from "../prompts/index.js";
import { latestFindings } from "./brief.js";
import { latestFinding } from "./routes.js";
import type { CycleStateType } from "./state.js";

/** The cycle report: what happened, with the ids that let anyone check it in each system. */
const ErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  system: z.string().optional(),
  request: z.string().optional(),
  upstream_status: z.number().optional(),
  retryable: z.boolean(),
});

export const CycleReportSchema = z.object({
  cycle_id: z.string(),
  timestamp: z.string().describe("when the cycle started"),
  finished_at: z.string(),
  environment: z.enum(ENVIRONMENTS),
  trigger: z.object({
    type: z.string().describe("the signal of the trigger contract, or the alert name when it maps to none"),
    value: z.number().nullable(),
    baseline: z.number().nullable(),
    alertname: z.string().nullable(),
    service: z.string().nullable(),
  }),
  actions: z.array(
    z.object({
      sequence: z.number(),
      type: z.string().describe("the loop phase"),
      step: z.string(),
      agent: z.string(),
      tool: z.string(),
      status: z.string(),
      decision: z.string(),
      reasons: z.array(z.string()),
      summary: z.string(),
      duration_sec: z.number(),
      artifacts: z.object({
        dvc_hash: z.string().optional(),
        mlflow_run_id: z.string().optional(),
        model_version: z.string().optional(),
        argocd_revision: z.string().optional(),
      }),
      error: ErrorSchema.optional().describe("what failed, for an action whose status is error"),
    }),
  ),
  approver: z.string().nullable(),
  approvals: z.array(z.object({ id: z.string(), tool: z.string(), status: z.string(), by: z.string().nullable(), reason: z.string().nullable(), at: z.string() })),
  total_cost: z.number().describe("USD spent on models during the cycle"),
  usage: z.object({ modelCalls: z.number(), toolCalls: z.number(), inputTokens: z.number(), outputTokens: z.number(), costUsd: z.number() }),
  outcome: z.enum(OUTCOMES),
  outcome_reason: z.string(),
  failure: ErrorSchema.extend({ step: z.string(), tool: z.string() })
    .nullable()
    .describe("for an escalated cycle that stopped on a tool error: the step, the tool and what failed, so escalations can be grouped by system"),
  rollback_available: z.boolean(),
  artifacts: z.array(z.object({ id: z.string(), kind: z.string(), name: z.string(), mediaType: z.string(), sha256: z.string(), size: z.number() })),
  findings: z.record(z.string(), z.unknown()),
  steps: z.array(
    z.object({
      step: z.string(),
      agent: z.string(),
      attempt: z.number().describe("1 for the first attempt of the step in this cycle"),
      status: z.string(),
      summary: z.string(),
      started_at: z.string(),
      ended_at: z.string(),
    }),
  ),
  model: z.string(),
  prompt_versions: z.object({ supervisor: z.string(), specialist: z.string() }),
});
/** A cycle report. */
export type CycleReport = z.infer<typeof CycleReportSchema>;

/** Builds the report of a finished cycle from its state. */
export function buildReport(state: CycleStateType, finishedAt: Date, model: string): CycleReport {
  const outcome = state.outcome ?? "escalated";
  const promote = latestFinding(state, "deployment", "promote")?.data as { previous_history_id?: number | null } | undefined;
  const approved = state.approvals.filter((a) => a.status === "approved");
  return {
    cycle_id: state.cycleId,
    timestamp: state.startedAt,
    finished_at: finishedAt.toISOString(),
    environment: state.environment,
    trigger: {
      type: state.trigger.signal ?? state.trigger.alertname ?? "unknown",
      value: state.trigger.value,
      baseline: state.trigger.baseline,
      alertname: state.trigger.alertname,
      service: state.trigger.service,
    },
    actions: state.actions.map((a) => ({
      sequence: a.sequence,
      type: a.phase,
      step: a.step,
      agent: a.agent,
      tool: a.tool,
      status: a.status,
      decision: a.decision,
      reasons: a.reasons,
      summary: a.summary,
      duration_sec: Math.round(a.durationSec * 1000) / 1000,
      artifacts: a.ids,
      ...(a.error ? { error: a.error } : {}),
    })),
    approver: approved.length > 0 ? approved[approved.length - 1]!.by : null,
    approvals: state.approvals.map((a) => ({ id: a.id, tool: a.tool, status: a.status, by: a.by, reason: a.reason, at: a.at })),
    total_cost: Math.round(state.usage.costUsd * 1e6) / 1e6,
    usage: state.usage,
    outcome,
    outcome_reason: state.outcomeReason ?? "",
    failure: outcome === "escalated" ? failureOf(state) : null,
    // A promoted model can be rolled back to the deployment it replaced.
    rollback_available: outcome === "promoted" && promote?.previous_history_id !== undefined && promote.previous_history_id !== null,
    artifacts: state.artifacts,
    findings: latestFindings(state),
    steps: state.steps.map((s) => ({ step: s.step, agent: s.agent, attempt: s.attempt, status: s.status, summary: s.summary, started_at: s.startedAt, ended_at: s.endedAt })),
    model,
    prompt_versions: { supervisor: SUPERVISOR_PROMPT_VERSION, specialist: SPECIALIST_PROMPT_VERSION },
  };
}

/** The tool error the cycle stopped on: that of the last step that ended incomplete after one. */
function failureOf(state: CycleStateType): CycleReport["failure"] {
  const step = state.steps.findLast((s) => s.status === "incomplete");
  if (!step?.failure) return null;
  const { tool, ...error } = step.failure;
  return { step: step.step, tool, ...error };
}
