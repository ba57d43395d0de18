import type { Context } from "hono";
import type { Environment } from "../../core/index.js";
import type { Autopilot } from "../autopilot.js";
import { principalOf } from "./auth.js";
import { HttpError } from "./errors.js";

/** What every admin route does around its action: ask the policies, and write the audit trail. */
export interface AdminActions {
  /** The caller as the policies see an operator. */
  operatorOf(c: Context): { type: "Operator"; id: string; role: string };
  /** Throws 403 `denied_by_policy` with the policies' reasons unless they allow `action`. */
  permit(c: Context, action: string, environment: Environment): Promise<void>;
  /** Appends an `admin_action` entry: who, which action, in which environment, with what. */
  audit(c: Context, environment: Environment, action: string, data: Record<string, unknown>): Promise<unknown>;
}

/**
 * The admin routes' common steps. The API role lets an admin in; the policies still decide each
 * action, and each one is written to the audit trail with its reason.
 */
export function createAdminActions(ap: Autopilot): AdminActions {
  const operatorOf = (c: Context) => {
    const p = principalOf(c);
    return { type: "Operator" as const, id: p.name, role: p.role };
  };
  return {
    operatorOf,
    async permit(c, action, environment) {
      const decision = await ap.gate.decideOperatorAction(operatorOf(c), action, environment);
      if (decision.outcome !== "allow") throw new HttpError(403, "denied_by_policy", decision.reasons.join("; "), { policies: decision.policies });
    },
    audit: (c, environment, action, data) =>
      ap.store.audit.append({ at: ap.platform.clock.now(), cycleId: null, kind: "admin_action", actor: { type: "Operator", id: operatorOf(c).id }, decision: action, data: { environment, ...data } }),
  };
}
