import type { Environment } from "../core/index.js";
import { outsideCycleScope, type CallScope, type GateResult, type Principal } from "../policies/index.js";
import type { BaselineList } from "../tools/mlflow/index.js";
import { HttpError } from "./http/errors.js";
import type { Autopilot } from "./autopilot.js";

/** What an admin may roll back to: a version number, the newest stable version, or gold. */
export type RollbackTarget = string;
/** Target words: `stable` is the newest version marked stable other than the one serving; `gold` is the best recorded. */
export const ROLLBACK_TARGET_WORDS = ["stable", "gold"] as const;

/** What a manual rollback did. */
export interface ManualRollback {
  app: string;
  environment: Environment;
  /** How the target was resolved: the version asked for, or the stable/gold version the word named. */
  target: { requested: string; model_version: string; stable: boolean; gold: boolean };
  /** `history`: an Argo CD rollback to a deployment that served it; `redeploy`: a stable version older than the history, written to Git and synced. */
  method: "history" | "redeploy";
  history_id: number | null;
  revision: string;
  model_version: string;
  steps: Array<{ tool: string; status: string; summary: string }>;
}

/**
 * An admin's rollback of an application to `target`: a version number, `stable` (the newest
 * version marked stable that is not serving) or `gold`. Every step is a tool call through the
 * policy gate with the admin as principal. A version a recent deployment served alone is restored
 * through Argo CD history (rollback, champion alias, Git restored to match); a stable version older
 * than the history is redeployed: its values are committed to Git and synced.
 */
export async function operatorRollback(
  ap: Autopilot,
  principal: Principal,
  request: { environment: Environment; service: string; target: RollbackTarget; reason: string },
): Promise<ManualRollback> {
  const entry = ap.catalog[request.service];
  if (!entry) throw new HttpError(404, "unknown_service", `service "${request.service}" is not in the catalog (${Object.keys(ap.catalog).join(", ")})`);
  const scope: CallScope = { ...outsideCycleScope(request.environment), phase: "rollback" };
  const steps: ManualRollback["steps"] = [];
  const attempt = async (tool: string, input: Record<string, unknown>) => {
    const result = await ap.gate.execute({ principal, tool, input, scope });
    steps.push({ tool, status: statusOf(result), summary: summaryOf(result) });
    if (result.status === "executed" && (result.outcome.status === "success" || result.outcome.status === "no_data")) {
      return { found: result.outcome.status === "success", data: (result.outcome.data ?? {}) as Record<string, unknown> };
    }
    throw new HttpError(result.status === "denied" ? 403 : 409, result.status === "denied" ? "denied_by_policy" : "rollback_failed", `${tool}: ${summaryOf(result)}`, { steps });
  };
  const call = async (tool: string, input: Record<string, unknown>) => {
    const out = await attempt(tool, input);
    if (!out.found) throw new HttpError(409, "rollback_failed", `${tool}: ${steps.at(-1)!.summary}`, { steps });
    return out.data;
  };

  const serving = ((await call("gitops_get_values", { app: entry.app })) as { values: { model: { version: string } } }).values.model.version;
  const baselines = (await attempt("mlflow_list_baselines", { model_name: entry.model })).data as Partial<BaselineList>;
  const stable = (baselines.versions ?? []).map((v) => v.version);
  const gold = baselines.gold ?? null;
  let version: string;
  if (request.target === "gold") {
    if (!gold) throw new HttpError(404, "no_gold", `${entry.model} has no gold version yet: no promoted version has held after its watch`, { steps });
    version = gold;
  } else if (request.target === "stable") {
    const newest = stable.find((v) => v !== serving);
    if (!newest) throw new HttpError(404, "no_stable_version", `${entry.model} has no version marked stable other than v${serving}, which is serving`, { steps });
    version = newest;
  } else {
    version = request.target;
  }
  if (version === serving) throw new HttpError(409, "already_serving", `${entry.model} v${version}${request.target === version ? "" : ` (${request.target})`} is already serving in ${entry.app}`, { steps });
  const target = { requested: request.target, model_version: version, stable: stable.includes(version), gold: version === gold };

  const app = (await call("argocd_get_application", { app: entry.app })) as { history?: Array<{ id: number; revision: string }> };
  let found: { id: number; revision: string } | undefined;
  for (const h of [...(app.history ?? [])].reverse()) {
    const values = (await call("gitops_get_values", { app: entry.app, revision: h.revision })) as { values: { model: { version: string }; canary: { enabled: boolean } } };
    if (values.values.model.version === version && !values.values.canary.enabled) {
      found = h;
      break;
    }
  }
  const why = `Manual rollback by ${principal.id} to ${entry.model} v${version}${request.target === version ? "" : ` (${request.target})`}: ${request.reason}`;
  if (found) {
    await call("argocd_rollback_application", { app: entry.app, history_id: found.id });
    await call("mlflow_set_model_alias", { model_name: entry.model, alias: "champion", version });
    await call("gitops_restore_values", { app: entry.app, revision: found.revision, reason: why });
    return { app: entry.app, environment: request.environment, target, method: "history", history_id: found.id, revision: found.revision, model_version: version, steps };
  }
  if (!target.stable) {
    throw new HttpError(404, "version_not_deployed", `no deployment in ${entry.app}'s recent history served ${entry.model} v${version} alone, and v${version} is not marked stable, so it is not redeployed`, { steps });
  }
  // A stable version older than the retained history: commit its values and sync to that commit.
  const written = (await call("gitops_write_values", { app: entry.app, model_version: version, canary_weight: 0, reason: why })) as { revision: string };
  const synced = (await call("argocd_sync_application", { app: entry.app, revision: written.revision })) as { history_id: number | null };
  await call("mlflow_set_model_alias", { model_name: entry.model, alias: "champion", version });
  return { app: entry.app, environment: request.environment, target, method: "redeploy", history_id: synced.history_id, revision: written.revision, model_version: version, steps };
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
