import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { EnvironmentSchema, GateRuleSchema, SIGNALS } from "../../../core/index.js";
import { FLAG_NAMES } from "../../store/index.js";
import type { Autopilot } from "../../autopilot.js";
import { operatorRollback, ROLLBACK_TARGET_WORDS } from "../../operator-rollback.js";
import { createAdminActions } from "../admin-actions.js";
import type { Guards } from "../auth.js";
import { HttpError } from "../errors.js";
import { documentable, errorResponses, jsonBody, jsonContent } from "../openapi.js";

const Reason = z.string().trim().min(3, "say why (at least 3 characters)").max(2000).openapi({ description: "Why; kept in the audit trail.", example: "bad data import upstream" });
const Stop = z.object({ environment: EnvironmentSchema.optional().openapi({ description: "Default: the autopilot's environment." }), reason: Reason }).openapi("KillSwitchRequest");
const Rollback = z
  .object({
    environment: EnvironmentSchema.optional(),
    service: z.string().optional().openapi({ description: "Default: the first service of the catalog." }),
    target_version: z.union([z.enum(ROLLBACK_TARGET_WORDS), z.string().regex(/^[1-9][0-9]{0,9}$/, 'a version number such as 3, "stable" or "gold"')]),
    reason: Reason,
  })
  .openapi("RollbackRequest");
const FlagBody = z.object({ enabled: z.boolean(), metadata: z.record(z.string(), z.unknown()).optional(), reason: Reason }).openapi("FlagRequest");
const GateBody = z.object({ rules: z.array(GateRuleSchema).min(1).max(10), reason: Reason }).openapi("GateOverrideRequest");

const EnvironmentParam = documentable(EnvironmentSchema).openapi({ param: { name: "environment", in: "path" }, example: "production" });
const SignalParam = z.enum(SIGNALS).openapi({ param: { name: "signal", in: "path" }, example: "ndcg_drop" });
const FlagSchema = z.object({ flagName: z.string(), environment: z.string(), enabled: z.boolean(), metadata: z.record(z.string(), z.unknown()), updatedAt: z.string(), updatedBy: z.string() }).openapi("Flag");
const GateOverrideSchema = z.object({ environment: z.string(), signal: z.string(), rules: z.array(z.unknown()), reason: z.string(), updatedBy: z.string(), updatedAt: z.string() }).openapi("GateOverride");
const RollbackSchema = z
  .object({
    app: z.string(),
    environment: EnvironmentSchema,
    target: z.object({ requested: z.string(), model_version: z.string(), stable: z.boolean(), gold: z.boolean() }),
    method: z.enum(["history", "redeploy"]),
    history_id: z.number().int().nullable(),
    revision: z.string(),
    model_version: z.string(),
    steps: z.array(z.object({ tool: z.string(), status: z.string(), summary: z.string() })),
  })
  .openapi("Rollback");
const KillSwitch = jsonContent(z.object({ environment: EnvironmentSchema, kill_switch: z.boolean() }), "The kill switch as it now is.");
const tags = ["admin"];

const routes = {
  stop: createRoute({ method: "post", path: "/optimizer/stop", tags, summary: "Kill switch on: running cycles stop at their next tool call", request: { body: jsonBody(Stop) }, responses: { 200: KillSwitch, ...errorResponses(403) } }),
  resume: createRoute({ method: "post", path: "/optimizer/resume", tags, summary: "Kill switch off", request: { body: jsonBody(Stop) }, responses: { 200: KillSwitch, ...errorResponses(403) } }),
  rollback: createRoute({
    method: "post",
    path: "/optimizer/rollback",
    tags,
    summary: "Roll back by hand, through the gate, to a version, `stable` or `gold`",
    request: { body: jsonBody(Rollback) },
    responses: { 200: jsonContent(z.object({ rollback: RollbackSchema }), "What the rollback did, step by step."), ...errorResponses(403, 404, 409) },
  }),
  flags: createRoute({ method: "get", path: "/flags", tags, summary: "Feature flags of every environment", responses: { 200: jsonContent(z.object({ flags: z.array(FlagSchema) }), "Every flag row.") } }),
  setFlag: createRoute({
    method: "put",
    path: "/flags/{environment}/{name}",
    tags,
    summary: "Set a feature flag",
    request: { params: z.object({ environment: EnvironmentParam, name: z.string().openapi({ param: { name: "name", in: "path" }, example: "ab_testing", description: `One of ${FLAG_NAMES.join(", ")}.` }) }), body: jsonBody(FlagBody) },
    responses: { 200: jsonContent(z.object({ flag: FlagSchema }), "The flag as set."), ...errorResponses(403, 404) },
  }),
  gates: createRoute({
    method: "get",
    path: "/gates/{environment}",
    tags,
    summary: "The quality gates in force, and admins' overrides",
    request: { params: z.object({ environment: EnvironmentParam }) },
    responses: { 200: jsonContent(z.object({ environment: EnvironmentSchema, gates: z.record(z.string(), z.unknown()), overrides: z.array(GateOverrideSchema) }), "Each signal's gate rules.") },
  }),
  setGate: createRoute({
    method: "put",
    path: "/gates/{environment}/{signal}",
    tags,
    summary: "Override a signal's quality gate",
    request: { params: z.object({ environment: EnvironmentParam, signal: SignalParam }), body: jsonBody(GateBody) },
    responses: { 200: jsonContent(z.object({ override: GateOverrideSchema }), "The override."), ...errorResponses(403) },
  }),
  removeGate: createRoute({
    method: "delete",
    path: "/gates/{environment}/{signal}",
    tags,
    summary: "Remove a gate override",
    request: { params: z.object({ environment: EnvironmentParam, signal: SignalParam }) },
    responses: { 200: jsonContent(z.object({ removed: z.literal(true) }), "Removed."), ...errorResponses(403, 404) },
  }),
};

/** Admin routes: the kill switch, manual rollback, feature flags and quality-gate overrides. */
export function adminRoutes(ap: Autopilot, guards: Guards) {
  const { operatorOf, permit, audit } = createAdminActions(ap);
  const admin = { middleware: guards.admin };
  const setKillSwitch = async (c: Context, on: boolean, body: z.infer<typeof Stop>) => {
    const { environment = ap.environment, reason } = body;
    await permit(c, "kill_switch", environment);
    await ap.store.flags.set("kill_switch", environment, { enabled: on }, operatorOf(c).id, new Date());
    await audit(c, environment, on ? "kill_switch_on" : "kill_switch_off", { reason });
    if (!on) ap.runner.wake();
    return { environment, kill_switch: on };
  };
  return new OpenAPIHono()
    .openapi({ ...routes.stop, ...admin }, async (c) => c.json(await setKillSwitch(c, true, c.req.valid("json")), 200))
    .openapi({ ...routes.resume, ...admin }, async (c) => c.json(await setKillSwitch(c, false, c.req.valid("json")), 200))
    .openapi({ ...routes.rollback, ...admin }, async (c) => {
      const req = c.req.valid("json");
      const environment = req.environment ?? ap.environment;
      const service = req.service ?? Object.keys(ap.catalog)[0]!;
      await audit(c, environment, "rollback_requested", { service, target_version: req.target_version, reason: req.reason });
      const result = await operatorRollback(ap, operatorOf(c), { environment, service, target: req.target_version, reason: req.reason });
      return c.json({ rollback: result }, 200);
    })
    .openapi({ ...routes.flags, middleware: guards.viewer }, async (c) => c.json({ flags: await ap.store.flags.list() }, 200))
    .openapi({ ...routes.setFlag, ...admin }, async (c) => {
      const { environment, name } = c.req.valid("param");
      if (!(FLAG_NAMES as readonly string[]).includes(name)) throw new HttpError(404, "unknown_flag", `no flag "${name}"; flags are ${FLAG_NAMES.join(", ")}`);
      const req = c.req.valid("json");
      await permit(c, name === "kill_switch" ? "kill_switch" : "set_flag", environment);
      const row = await ap.store.flags.set(name, environment, { enabled: req.enabled, metadata: req.metadata }, operatorOf(c).id, new Date());
      await audit(c, environment, "flag_set", { flag: name, enabled: req.enabled, metadata: req.metadata ?? null, reason: req.reason });
      return c.json({ flag: row }, 200);
    })
    .openapi({ ...routes.gates, middleware: guards.viewer }, async (c) => {
      const { environment } = c.req.valid("param");
      const contract = await ap.contractFor(environment);
      return c.json({ environment, gates: Object.fromEntries(SIGNALS.map((s) => [s, contract.signals[s].gate])), overrides: await ap.store.gateOverrides.list(environment) }, 200);
    })
    .openapi({ ...routes.setGate, ...admin }, async (c) => {
      const { environment, signal } = c.req.valid("param");
      const req = c.req.valid("json");
      await permit(c, "set_flag", environment);
      const row = await ap.store.gateOverrides.set({ environment, signal, rules: req.rules, reason: req.reason, by: operatorOf(c).id, now: new Date() });
      await audit(c, environment, "gate_override_set", { signal, rules: req.rules, reason: req.reason });
      return c.json({ override: row }, 200);
    })
    .openapi({ ...routes.removeGate, ...admin }, async (c) => {
      const { environment, signal } = c.req.valid("param");
      await permit(c, "set_flag", environment);
      if (!(await ap.store.gateOverrides.remove(environment, signal))) throw new HttpError(404, "not_found", `no gate override for ${signal} in ${environment}`);
      await audit(c, environment, "gate_override_removed", { signal });
      return c.json({ removed: true as const }, 200);
    });
}
