import { Hono, type Context, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { EnvironmentSchema, GateRuleSchema, SIGNALS, type Environment } from "../../../core/index.js";
import { isPolicyLoadError, readPolicyFiles } from "../../../policies/index.js";
import { FLAG_NAMES } from "../../store/index.js";
import type { Autopilot } from "../../autopilot.js";
import { operatorRollback, ROLLBACK_TARGET_WORDS } from "../../operator-rollback.js";
import type { ApiPrincipal } from "../auth.js";
import { HttpError } from "../errors.js";
import { readBody } from "../body.js";

const Reason = z.string().trim().min(3, "say why (at least 3 characters)").max(2000);
const Stop = z.object({ environment: EnvironmentSchema.optional(), reason: Reason });
const Rollback = z.object({
  environment: EnvironmentSchema.optional(),
  service: z.string().optional(),
  target_version: z.union([z.enum(ROLLBACK_TARGET_WORDS), z.string().regex(/^[1-9][0-9]{0,9}$/, 'a version number such as 3, "stable" or "gold"')]),
  reason: Reason,
});
const FlagBody = z.object({ enabled: z.boolean(), metadata: z.record(z.string(), z.unknown()).optional(), reason: Reason });
const GateBody = z.object({ rules: z.array(GateRuleSchema).min(1).max(10), reason: Reason });

const limit = bodyLimit({
  maxSize: 64 * 1024,
  onError: () => {
    throw new HttpError(413, "payload_too_large", "the body exceeds 64 KiB");
  },
});

/**
 * Admin routes: the kill switch, manual rollback, feature flags, quality-gate overrides, policy
 * reload. The API role lets an admin in; the policies still decide each action, and each one is
 * written to the audit trail with its reason.
 */
export function adminRoutes(ap: Autopilot, admin: MiddlewareHandler, viewer: MiddlewareHandler) {
  const principalOf = (c: Context) => {
    const p = c.get("principal" as never) as ApiPrincipal;
    return { type: "Operator" as const, id: p.name, role: p.role };
  };
  const permitted = async (c: Context, action: string, environment: Environment) => {
    const decision = await ap.gate.decideOperatorAction(principalOf(c), action, environment);
    if (decision.outcome !== "allow") throw new HttpError(403, "denied_by_policy", decision.reasons.join("; "), { policies: decision.policies });
  };
  const audit = (c: Context, environment: Environment, action: string, data: Record<string, unknown>) =>
    ap.store.audit.append({ at: ap.platform.clock.now(), cycleId: null, kind: "admin_action", actor: { type: "Operator", id: principalOf(c).id }, decision: action, data: { environment, ...data } });
  const setKillSwitch = (on: boolean) => async (c: Context) => {
    const { environment = ap.environment, reason } = await readBody(c, Stop);
    await permitted(c, "kill_switch", environment);
    await ap.store.flags.set("kill_switch", environment, { enabled: on }, principalOf(c).id, new Date());
    await audit(c, environment, on ? "kill_switch_on" : "kill_switch_off", { reason });
    if (!on) ap.runner.wake();
    return c.json({ environment, kill_switch: on });
  };

  return new Hono()
    .post("/optimizer/stop", admin, limit, setKillSwitch(true))
    .post("/optimizer/resume", admin, limit, setKillSwitch(false))
    .post("/optimizer/rollback", admin, limit, async (c) => {
      const req = await readBody(c, Rollback);
      const environment = req.environment ?? ap.environment;
      const service = req.service ?? Object.keys(ap.catalog)[0]!;
      await audit(c, environment, "rollback_requested", { service, target_version: req.target_version, reason: req.reason });
      const result = await operatorRollback(ap, principalOf(c), { environment, service, target: req.target_version, reason: req.reason });
      return c.json({ rollback: result });
    })
    .get("/flags", viewer, async (c) => c.json({ flags: await ap.store.flags.list() }))
    .put("/flags/:environment/:name", admin, limit, async (c) => {
      const environment = EnvironmentSchema.safeParse(c.req.param("environment"));
      if (!environment.success) throw new HttpError(400, "invalid_environment", `"${c.req.param("environment")}" is not dev, staging or production`);
      const name = c.req.param("name");
      if (!(FLAG_NAMES as readonly string[]).includes(name)) throw new HttpError(404, "unknown_flag", `no flag "${name}"; flags are ${FLAG_NAMES.join(", ")}`);
      const req = await readBody(c, FlagBody);
      await permitted(c, name === "kill_switch" ? "kill_switch" : "set_flag", environment.data);
      const row = await ap.store.flags.set(name, environment.data, { enabled: req.enabled, metadata: req.metadata }, principalOf(c).id, new Date());
      await audit(c, environment.data, "flag_set", { flag: name, enabled: req.enabled, metadata: req.metadata ?? null, reason: req.reason });
      return c.json({ flag: row });
    })
    .get("/gates/:environment", viewer, async (c) => {
      const environment = EnvironmentSchema.parse(c.req.param("environment"));
      const contract = await ap.contractFor(environment);
      return c.json({ environment, gates: Object.fromEntries(SIGNALS.map((s) => [s, contract.signals[s].gate])), overrides: await ap.store.gateOverrides.list(environment) });
    })
    .put("/gates/:environment/:signal", admin, limit, async (c) => {
      const environment = EnvironmentSchema.safeParse(c.req.param("environment"));
      const signal = z.enum(SIGNALS).safeParse(c.req.param("signal"));
      if (!environment.success || !signal.success) throw new HttpError(400, "invalid_target", `gates are set per environment (dev, staging, production) and signal (${SIGNALS.join(", ")})`);
      const req = await readBody(c, GateBody);
      await permitted(c, "set_flag", environment.data);
      const row = await ap.store.gateOverrides.set({ environment: environment.data, signal: signal.data, rules: req.rules, reason: req.reason, by: principalOf(c).id, now: new Date() });
      await audit(c, environment.data, "gate_override_set", { signal: signal.data, rules: req.rules, reason: req.reason });
      return c.json({ override: row });
    })
    .delete("/gates/:environment/:signal", admin, async (c) => {
      const environment = EnvironmentSchema.parse(c.req.param("environment"));
      await permitted(c, "set_flag", environment);
      const removed = await ap.store.gateOverrides.remove(environment, c.req.param("signal"));
      if (!removed) throw new HttpError(404, "not_found", `no gate override for ${c.req.param("signal")} in ${environment}`);
      await audit(c, environment, "gate_override_removed", { signal: c.req.param("signal") });
      return c.json({ removed: true });
    })
    .get("/policies", viewer, (c) => c.json({ directory: ap.policyDir, files: ap.engine.policyTexts() }))
    .post("/policies/reload", admin, async (c) => {
      await permitted(c, "set_flag", ap.environment);
      try {
        ap.engine.reload(await readPolicyFiles(ap.policyDir));
      } catch (error) {
        await audit(c, ap.environment, "policies_reload_failed", { error: (error as Error).message });
        if (isPolicyLoadError(error)) throw new HttpError(400, "invalid_policies", `${error.message}; the active policies are unchanged`, { problems: error.problems });
        throw error;
      }
      await audit(c, ap.environment, "policies_reloaded", { files: ap.engine.policyTexts().map((f) => f.path) });
      return c.json({ files: ap.engine.policyTexts().map((f) => f.path) });
    })
    .get("/audit/head", viewer, async (c) => c.json({ head: await ap.store.audit.head() }))
    .get("/audit/verify", admin, async (c) => c.json(await ap.store.audit.verify()));
}
