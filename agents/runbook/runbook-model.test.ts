import { describe, expect, it } from "vitest";
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { z } from "zod";
import { DEFAULT_TRIGGER_CONTRACT } from "../../core/index.js";
import { specialistPrompt, supervisorMessage, supervisorPrompt, taskMessage, type TaskBriefContext } from "../../prompts/index.js";
import { dataEngineer, devops, metricsAnalyst, mlEngineer } from "../index.js";
import { decide, RunbookChatModel } from "./runbook-model.js";
import type { AgentProfile } from "../profile.js";

const now = new Date("2026-11-20T09:00:00Z");
function brief(agent: string, step: string, patch: Partial<TaskBriefContext> = {}): TaskBriefContext {
  return {
    cycle_id: "si_2026_11_20_001",
    agent,
    phase: step.split(".")[0]!,
    step,
    instructions: "do it",
    environment: "production",
    signal: "ndcg_drop",
    service: "search",
    catalog: { app: "search", model: "search-reranker", dataset: "search-relevance" },
    trigger: {},
    contract: { ...DEFAULT_TRIGGER_CONTRACT.signals.ndcg_drop, abTrafficPercent: 20 },
    findings: {},
    deployments: [],
    git_changes: [],
    ...patch,
  };
}
function conversation(profile: AgentProfile, b: TaskBriefContext, turns: Array<{ tool: string; args?: Record<string, unknown>; result: unknown }> = []): BaseMessage[] {
  const messages: BaseMessage[] = [new SystemMessage(specialistPrompt({ agent: profile, environment: "production", now })), new HumanMessage(taskMessage(b))];
  turns.forEach((t, i) => {
    messages.push(new AIMessage({ content: "", tool_calls: [{ id: `c${i}`, name: t.tool, args: t.args ?? {}, type: "tool_call" }] }));
    messages.push(new ToolMessage({ tool_call_id: `c${i}`, name: t.tool, content: JSON.stringify(t.result) }));
  });
  return messages;
}

describe("runbook decisions", () => {
  it("confirms the signal first, then answers with what it measured", () => {
    expect(decide(conversation(metricsAnalyst, brief("metrics-analyst", "monitor")))).toMatchObject({
      kind: "call",
      tool: "prometheus_get_signal",
      args: { signal: "ndcg_drop", service: "search" },
    });
    const after = decide(conversation(metricsAnalyst, brief("metrics-analyst", "monitor"), [{ tool: "prometheus_get_signal", result: { status: "success", summary: "NDCG 0.65, 9% under" } }]));
    expect(after).toEqual({ kind: "answer", text: "Signal check: NDCG 0.65, 9% under" });
  });

  it("augments exactly the weak topics the diagnosis found", () => {
    const b = brief("data-engineer", "augment", { findings: { diagnosis: { weak_segments: ["travel", "sports"] } } });
    const first = decide(conversation(dataEngineer, b));
    expect(first).toMatchObject({ tool: "dvc_get_dataset", args: { name: "search-relevance" } });
    const second = decide(conversation(dataEngineer, b, [{ tool: "dvc_get_dataset", result: { status: "success", summary: "ok", data: {} } }]));
    expect(second).toMatchObject({ tool: "dvc_augment_dataset", args: { dataset: "search-relevance", topics: ["travel", "sports"] } });
  });

  it("trains on the augmented dataset and registers the result with its lineage", () => {
    const b = brief("ml-engineer", "train", { findings: { dataset: { abs_path: "/w/datasets/x", md5: "abc.dir" } } });
    expect(decide(conversation(mlEngineer, b))).toMatchObject({ tool: "h2o_train_model", args: { dataset_path: "/w/datasets/x", algo: "gbm" } });
    const reg = decide(
      conversation(mlEngineer, b, [{ tool: "h2o_train_model", result: { status: "success", summary: "trained", data: { h2o_model_id: "m7", training_metrics: { RMSE: 0.4, note: "x" } } } }]),
    );
    expect(reg).toMatchObject({ tool: "mlflow_register_candidate", args: { h2o_model_id: "m7", dataset_md5: "abc.dir", training_metrics: { RMSE: 0.4 } } });
  });

  it("reports an error at once, leaving retries to the clients and the loop", () => {
    const b = brief("metrics-analyst", "monitor");
    const err = { status: "error", summary: "prometheus down", error: { retryable: true } };
    expect(decide(conversation(metricsAnalyst, b, [{ tool: "prometheus_get_signal", result: err }]))).toMatchObject({ kind: "answer", text: expect.stringContaining("prometheus down") });
  });

  it("starts the canary next to the champion with the contract's share", () => {
    const b = brief("devops", "ab_test.canary", { findings: { candidate: { version: "2" } } });
    const steps = [
      { tool: "mlflow_get_model", result: { status: "success", summary: "v1", data: { version: "1" } } },
      { tool: "gitops_write_values", result: { status: "success", summary: "committed", data: { revision: "abc123" } } },
    ];
    expect(decide(conversation(devops, b, steps.slice(0, 1)))).toMatchObject({
      tool: "gitops_write_values",
      args: { app: "search", model_version: "1", canary_version: "2", canary_weight: 20 },
    });
    expect(decide(conversation(devops, b, steps))).toMatchObject({ tool: "argocd_sync_application", args: { app: "search", revision: "abc123" } });
  });

  it("rolls back to the history before the cycle's first deployment and restores the champion", () => {
    const b = brief("devops", "rollback", {
      deployments: [
        { step: "ab_test.canary", canary_weight: 20, model_version: "2", previous_history_id: 1, previous_model_version: "1" },
        { step: "promote", canary_weight: 0, model_version: "2", previous_history_id: 2, previous_model_version: "1" },
      ],
    });
    expect(decide(conversation(devops, b))).toMatchObject({ tool: "argocd_rollback_application", args: { history_id: 1 } });
    const rolled = { tool: "argocd_rollback_application", result: { status: "success", summary: "ok", data: { revision: "abc1234" } } };
    expect(decide(conversation(devops, b, [rolled]))).toMatchObject({ tool: "mlflow_set_model_alias", args: { alias: "champion", version: "1" } });
    const restored = decide(conversation(devops, b, [rolled, { tool: "mlflow_set_model_alias", result: { status: "success", summary: "ok" } }]));
    expect(restored).toMatchObject({ tool: "gitops_restore_values", args: { app: "search", revision: "abc1234" } });
  });

  it("withdraws a canary without touching the champion alias it never moved", () => {
    const b = brief("devops", "rollback", { deployments: [{ step: "ab_test.canary", canary_weight: 20, model_version: "2", previous_history_id: 1, previous_model_version: "1" }] });
    const rolled = { tool: "argocd_rollback_application", result: { status: "success", summary: "ok", data: { revision: "abc1234" } } };
    expect(decide(conversation(devops, b, [rolled]))).toMatchObject({ tool: "gitops_restore_values" });
  });

  it("restores Git to what serves when this cycle's commit never deployed", () => {
    const b = brief("devops", "rollback.git", { git_changes: [{ step: "ab_test.canary", revision: "c0ffee1", previous_revision: "abc1234", changed: true, restored_from: null }] });
    expect(decide(conversation(devops, b))).toMatchObject({ tool: "argocd_get_application", args: { app: "search" } });
    const serving = { tool: "argocd_get_application", result: { status: "success", summary: "ok", data: { history: [{ id: 1, revision: "abc1234" }] } } };
    expect(decide(conversation(devops, b, [serving]))).toMatchObject({ tool: "gitops_restore_values", args: { app: "search", revision: "abc1234" } });
  });

  it("rolls Argo CD back first when a sync of this cycle's commit was accepted after all", () => {
    const b = brief("devops", "rollback.git", { git_changes: [{ step: "ab_test.canary", revision: "c0ffee1", previous_revision: "abc1234", changed: true, restored_from: null }] });
    const synced = { tool: "argocd_get_application", result: { status: "success", summary: "ok", data: { history: [{ id: 1, revision: "abc1234" }, { id: 2, revision: "c0ffee1" }] } } };
    expect(decide(conversation(devops, b, [synced]))).toMatchObject({ tool: "argocd_rollback_application", args: { history_id: 1 } });
    const rolled = { tool: "argocd_rollback_application", result: { status: "success", summary: "ok", data: { revision: "abc1234" } } };
    expect(decide(conversation(devops, b, [synced, rolled]))).toMatchObject({ tool: "gitops_restore_values", args: { revision: "abc1234" } });
  });

  it("gates an ETL fix by doubling the slow processors, then deploys exactly what the gate approved", () => {
    const etl = { ...DEFAULT_TRIGGER_CONTRACT.signals.etl_backlog, abTrafficPercent: 20 };
    const gate = brief("ml-engineer", "evaluate", { signal: "etl_backlog", contract: etl, findings: { diagnosis: { weak_segments: ["embed"] } } });
    expect(decide(conversation(mlEngineer, gate))).toMatchObject({ tool: "gitops_get_values", args: { app: "search" } });
    const values = { tool: "gitops_get_values", result: { status: "success", summary: "ok", data: { values: { processors: { embed: { workers: 4 }, crawl: { workers: 2 } } } } } };
    expect(decide(conversation(mlEngineer, gate, [values]))).toMatchObject({ tool: "gitops_check_change", args: { app: "search", processors: { embed: { workers: 8 } } } });
    const promote = brief("devops", "promote", { signal: "etl_backlog", contract: etl, findings: { evaluation: { passed: true, proposal: { processors: { embed: { workers: 8 } } } } } });
    expect(decide(conversation(devops, promote))).toMatchObject({ tool: "gitops_write_values", args: { app: "search", processors: { embed: { workers: 8 } } } });
  });

  it("refuses to act without a readable context", () => {
    expect(decide([new SystemMessage("Agent: devops."), new HumanMessage("roll back now!")])).toMatchObject({ kind: "answer" });
  });

  it("lets the supervisor take the loop's first allowed move", () => {
    const messages = [
      new SystemMessage(supervisorPrompt({ team: [], environment: "production", now })),
      new HumanMessage(
        supervisorMessage({
          cycle_id: "c",
          environment: "production",
          signal: "ndcg_drop",
          service: "search",
          trigger: {},
          completed: [],
          findings: {},
          allowed: [{ move: "assign", step: "diagnose", agent: "metrics-analyst", why: "next" }],
          usage: {},
        }),
      ),
    ];
    expect(decide(messages)).toMatchObject({ kind: "call", tool: "assign_task", args: { step: "diagnose" } });
  });
});

describe("RunbookChatModel", () => {
  const tools = [{ name: "prometheus_get_signal", description: "d", schema: z.object({ signal: z.string(), service: z.string() }) }];
  it("emits a real tool call with usage when the tool is bound", async () => {
    const model = new RunbookChatModel().bindTools(tools);
    const ai = await model.invoke(conversation(metricsAnalyst, brief("metrics-analyst", "monitor")));
    expect(ai.tool_calls).toEqual([expect.objectContaining({ name: "prometheus_get_signal", args: { signal: "ndcg_drop", service: "search" } })]);
    expect(ai.usage_metadata?.input_tokens).toBeGreaterThan(100);
  });
  it("never calls a tool that is not bound to it", async () => {
    const model = new RunbookChatModel().bindTools([{ name: "other_tool_x", description: "d", schema: z.object({}) }]);
    const ai = await model.invoke(conversation(metricsAnalyst, brief("metrics-analyst", "monitor")));
    expect(ai.tool_calls ?? []).toHaveLength(0);
    expect(String(ai.content)).toContain("not among my tools");
  });
});
