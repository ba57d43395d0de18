import type { Environment } from "../core/index.js";
import type { CallScope, GateResult, Principal } from "../policies/index.js";
import { HttpError } from "./http/errors.js";
import type { Autopilot } from "./autopilot.js";

/** What a manual rollback did. */
export interface ManualRollback {
  app: string;
  environment: Environment;
  history_id: number;
  revision: string;
  model_version: string;
  steps: Array<{ tool: string; status: string; summary: string }>;
}

/**
 * An admin's rollback of an application to the last deployment that served `targetVersion`. Every
 * step is a tool call through the policy gate with the admin as principal: Argo CD history, the
 * values at each revision, the rollback, the champion alias, and Git restored to match.
 */
export async function operatorRollback(
  ap: Autopilot,
  principal: Principal,
  request: { environment: Environment; service: string; targetVersion: string; reason: string },
): Promise<ManualRollback> {
  const entry = ap.catalog[request.service];
  if (!entry) throw new HttpError(404, "unknown_service", `service "${request.service}" is not in the catalog (${Object.keys(ap.catalog).join(", ")})`);
  const scope: CallScope = { cycleId: null, environment: request.environment, phase: "rollback", gatePassed: false, gateNeedsApproval: false, spentUsd: 0 };
  const steps: ManualRollback["steps"] = [];
  const call = async (tool: string, input: Record<string, unknown>) => {
    const result = await ap.gate.execute({ principal, tool, input, scope });
    steps.push({ tool, status: statusOf(result), summary: summaryOf(result) });
    if (result.status !== "executed" || result.outcome.status !== "success") {
      throw new HttpError(result.status === "denied" ? 403 : 409, result.status === "denied" ? "denied_by_policy" : "rollback_failed", `${tool}: ${summaryOf(result)}`, { steps });
    }
    return result.outcome.data as Record<string, unknown>;
  };
  const app = (await call("argocd_get_application", { app: entry.app })) as { history?: Array<{ id: number; revision: string }> };
  const history = [...(app.history ?? [])].reverse();
  let target: { id: number; revision: string } | undefined;
  for (const h of history) {
    const values = (await call("gitops_get_values", { app: entry.app, revision: h.revision })) as { values: { model: { version: string }; canary: { enabled: boolean } } };
    if (values.values.model.version === request.targetVersion && !values.values.canary.enabled) {
      target = h;
      break;
    }
  }
  if (!target) throw new HttpError(404, "version_not_deployed", `no deployment in ${entry.app}'s recent history served ${entry.model} v${request.targetVersion} alone`, { steps });
  await call("argocd_rollback_application", { app: entry.app, history_id: target.id });
  await call("mlflow_set_model_alias", { model_name: entry.model, alias: "champion", version: request.targetVersion });
  await call("gitops_restore_values", { app: entry.app, revision: target.revision, reason: `Manual rollback by ${principal.id}: ${request.reason}` });
  return { app: entry.app, environment: request.environment, history_id: target.id, revision: target.revision, model_version: request.targetVersion, steps };
}

function statusOf(result: GateResult): string {
  return result.status === "executed" ? result.outcome.status : result.status;
}

function summaryOf(result: GateResult): string {
  switch (result.status) {
    case "executed":
      return result.outcome.summary;
    case "denied":
    case "approval_required":
      return result.decision.reasons.join("; ");
    case "invalid":
      return result.message;
  }
}
