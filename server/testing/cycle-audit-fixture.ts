import type { AuditRow } from "../store/index.js";

let seq = 0;
const row = (kind: string, fields: Partial<Omit<AuditRow, "seq" | "kind">> & { minute?: number } = {}): AuditRow => {
  seq += 1;
  const at = new Date(Date.UTC(2026, 10, 20, 8, fields.minute ?? seq));
  return { seq, at, atIso: at.toISOString(), cycleId: "si_2026_11_20_001", kind, actor: fields.actor ?? { type: "Agent", id: "supervisor" }, tool: fields.tool ?? null, decision: fields.decision ?? null, data: fields.data ?? {}, prevHash: "", hash: "" };
};
const devops = { type: "Agent", id: "devops" };

/** The audit entries of a promotion that waited for an approval, deployed, rolled back and met a deny, with one call still running. */
export function cycleRows(): AuditRow[] {
  seq = 0;
  return [
    row("cycle_started", { data: { trigger: { alertname: "SearchRelevanceDegraded", signal: "ndcg_drop", service: "search", startsAt: "2026-11-20T07:50:00Z" } } }),
    row("supervisor_decision", { decision: "assign:promote", data: { move: { move: "assign", step: "promote", agent: "devops", why: "Promote the candidate." } } }),
    row("policy_decision", { actor: devops, tool: "gitops_write_values", decision: "allow", data: { input: { app: "search" }, call_hash: "h1", reasons: ["auto_promote is on"] } }),
    row("policy_decision", { actor: devops, tool: "argocd_sync_application", decision: "require_approval", data: { input: { app: "search" }, call_hash: "h2", reasons: ["production deploys need a human"] } }),
    row("tool_result", { actor: devops, tool: "gitops_write_values", decision: "success", data: { call_hash: "h1", status: "success", summary: "Committed 8362b60", duration_ms: 20 } }),
    row("approval_requested", { actor: devops, tool: "argocd_sync_application", decision: "require_approval", data: { approval_id: "ap_1", reasons: ["production deploys need a human"] } }),
    row("approval_decided", { actor: { type: "Operator", id: "olivia" }, tool: "argocd_sync_application", decision: "approved", data: { approval_id: "ap_1", reason: "looks good" } }),
    row("policy_decision", { actor: devops, tool: "argocd_sync_application", decision: "allow", data: { input: { app: "search" }, call_hash: "h2", reasons: ["approved"], approval_id: "ap_1" } }),
    row("tool_result", { actor: devops, tool: "argocd_sync_application", decision: "success", data: { call_hash: "h2", status: "success", summary: "search synced to 8362b60", duration_ms: 78 } }),
    row("policy_decision", { actor: devops, tool: "argocd_rollback_application", decision: "allow", data: { input: { app: "search" }, call_hash: "h3", reasons: ["auto_rollback is on"] } }),
    row("tool_result", { actor: devops, tool: "argocd_rollback_application", decision: "success", data: { call_hash: "h3", status: "success", summary: "search rolled back to history 1", duration_ms: 48 } }),
    row("policy_decision", { actor: devops, tool: "gitops_restore_values", decision: "allow", data: { input: {}, call_hash: "h4", reasons: [] }, minute: 11 }),
    row("tool_result", { actor: devops, tool: "gitops_restore_values", decision: "success", data: { call_hash: "h4", status: "success", summary: "values restored", duration_ms: 20 }, minute: 11 }),
    row("policy_decision", { actor: devops, tool: "mlflow_set_model_alias", decision: "deny", data: { input: {}, call_hash: "h5", reasons: ["the kill switch is on"] } }),
    row("step_finished", { actor: devops, decision: "done", data: { step: "promote", summary: "v2 serves all traffic." } }),
    row("policy_decision", { actor: devops, tool: "argocd_get_application", decision: "allow", data: { input: {}, call_hash: "h6", reasons: [] } }),
  ];
}
