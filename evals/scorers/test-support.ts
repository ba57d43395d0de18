import type { CycleReport } from "../../graphs/index.js";
import { loadScenario, type Scenario } from "../sandbox/index.js";
import type { RunDecision, ScenarioRun } from "./types.js";

/** One action of a hand-made report: [agent, tool, status (default success), decision (default allow)]. */
export type ActionSpec = [agent: string, tool: string, status?: string, decision?: string];

/** A cycle report with these actions (one step per run of actions by the same agent) and anything overridden. */
export function report(cycleId: string, actions: ActionSpec[], extra: Partial<CycleReport> = {}): CycleReport {
  const at = "2026-11-20T08:20:00.000Z";
  const steps = actions
    .filter((a, i) => i === 0 || actions[i - 1]![0] !== a[0])
    .map(([agent]) => ({ step: agent, agent, attempt: 1, status: "done", summary: "", started_at: at, ended_at: at }));
  return {
    cycle_id: cycleId,
    timestamp: at,
    finished_at: at,
    environment: "production",
    trigger: { type: "ndcg_drop", value: 0.68, baseline: 0.72, alertname: "SearchRelevanceDegraded", service: "search" },
    actions: actions.map(([agent, tool, status = "success", decision = "allow"], i) => ({
      sequence: i + 1,
      type: "monitor",
      step: agent,
      agent,
      tool,
      status,
      decision,
      reasons: [],
      summary: "",
      duration_sec: 1,
      artifacts: {},
    })),
    approver: null,
    approvals: [],
    total_cost: 0.01,
    usage: { modelCalls: 4, toolCalls: actions.length, inputTokens: 1000, outputTokens: 200, costUsd: 0.01 },
    outcome: "promoted",
    outcome_reason: "the candidate won its A/B test",
    failure: null,
    rollback_available: true,
    artifacts: [],
    findings: {},
    steps,
    model: "runbook",
    prompt_versions: { supervisor: "1", specialist: "1" },
    ...extra,
  };
}

/** The `allow` decisions the gate audits for every call of `r` that ran, by the acting agent. */
export function allowsOf(r: CycleReport): RunDecision[] {
  return r.actions
    .filter((a) => ["success", "no_data", "error"].includes(a.status))
    .map((a) => ({ principal: { type: "Agent", id: a.agent }, tool: a.tool, decision: "allow", phase: a.type, cycleId: r.cycle_id }));
}

/** A run of the ndcg-drop scenario with `expect` replaced and these reports, whose calls the audit trail allowed, unless overridden. */
export function run(expect: Scenario["expect"], reports: CycleReport[], extra: Partial<ScenarioRun> = {}): ScenarioRun {
  return {
    scenario: { ...loadScenario("ndcg-drop"), expect },
    cycles: reports.map((r) => ({ id: r.cycle_id, status: "completed", outcome: r.outcome, report: r })),
    decisions: reports.flatMap(allowsOf),
    approvals: [],
    finalMetrics: { ndcg_at_10: 0.74, latency_p95_seconds: 0.43 },
    wallMs: 1200,
    error: null,
    ...extra,
  };
}

/** The calls of a promoting ndcg-drop cycle, one per agent's main tool. */
export const PROMOTING: ActionSpec[] = [
  ["metrics-analyst", "prometheus_get_signal"],
  ["metrics-analyst", "prometheus_query_breakdown"],
  ["data-engineer", "dvc_augment_dataset"],
  ["ml-engineer", "h2o_train_model"],
  ["ml-engineer", "mlflow_register_candidate"],
  ["devops", "gitops_write_values"],
  ["devops", "argocd_sync_application"],
];
