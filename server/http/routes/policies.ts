import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { isPolicyLoadError, readPolicyFiles } from "../../../policies/index.js";
import type { Autopilot } from "../../autopilot.js";
import { createAdminActions } from "../admin-actions.js";
import type { Guards } from "../auth.js";
import { HttpError } from "../errors.js";
import { errorResponses, jsonContent } from "../openapi.js";

const HeadSchema = z.object({ seq: z.number().int(), hash: z.string() }).openapi("AuditHead");
const tags = ["policies and audit"];

const routes = {
  list: createRoute({
    method: "get",
    path: "/policies",
    tags,
    summary: "The active Cedar policy files",
    responses: { 200: jsonContent(z.object({ directory: z.string(), files: z.array(z.object({ path: z.string(), text: z.string() })) }), "Where the policies are read from, and each file.") },
  }),
  reload: createRoute({
    method: "post",
    path: "/policies/reload",
    tags,
    summary: "Reload the policy files (the active set is kept when one is invalid)",
    responses: { 200: jsonContent(z.object({ files: z.array(z.string()) }), "The files now in force."), ...errorResponses(400, 403) },
  }),
  head: createRoute({ method: "get", path: "/audit/head", tags, summary: "The audit chain's head", responses: { 200: jsonContent(z.object({ head: HeadSchema }), "The last entry's seq and hash.") } }),
  verify: createRoute({
    method: "get",
    path: "/audit/verify",
    tags,
    summary: "Recompute every hash and link of the audit chain",
    responses: {
      200: jsonContent(
        z.union([z.object({ ok: z.literal(true), rows: z.number().int(), head: HeadSchema }), z.object({ ok: z.literal(false), firstBrokenSeq: z.number().int(), reason: z.string() })]),
        "Whether the chain is whole, or where it first breaks.",
      ),
    },
  }),
};

/** The policy files and their reload, and the audit chain's head and verification. */
export function policyRoutes(ap: Autopilot, guards: Guards) {
  const { permit, audit } = createAdminActions(ap);
  return new OpenAPIHono()
    .openapi({ ...routes.list, middleware: guards.viewer }, (c) => c.json({ directory: ap.policyDir, files: ap.engine.policyTexts() }, 200))
    .openapi({ ...routes.reload, middleware: guards.admin }, async (c) => {
      await permit(c, "set_flag", ap.environment);
      try {
        ap.engine.reload(await readPolicyFiles(ap.policyDir));
      } catch (error) {
        await audit(c, ap.environment, "policies_reload_failed", { error: (error as Error).message });
        if (isPolicyLoadError(error)) throw new HttpError(400, "invalid_policies", `${error.message}; the active policies are unchanged`, { problems: error.problems });
        throw error;
      }
      const files = ap.engine.policyTexts().map((f) => f.path);
      await audit(c, ap.environment, "policies_reloaded", { files });
      return c.json({ files }, 200);
    })
    .openapi({ ...routes.head, middleware: guards.viewer }, async (c) => c.json({ head: await ap.store.audit.head() }, 200))
    .openapi({ ...routes.verify, middleware: guards.admin }, async (c) => c.json(await ap.store.audit.verify(), 200));
}
