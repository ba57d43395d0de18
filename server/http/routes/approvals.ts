import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { isAutopilotError, type Environment } from "../../../core/index.js";
import type { GateResult } from "../../../policies/index.js";
import type { Autopilot } from "../../autopilot.js";
import { decideApproval } from "../../approvals.js";
import { principalOf, type Guards } from "../auth.js";
import { HttpError } from "../errors.js";
import { errorResponses, jsonBody, jsonContent, optionalJsonBody } from "../openapi.js";

/** An approval request as stored: the exact call, why the policy asks, and its answer. */
export const ApprovalSchema = z
  .object({
    id: z.string().openapi({ example: "apr_0123456789abcdef" }),
    cycleId: z.string().nullable(),
    tool: z.string().openapi({ example: "argocd_sync_application" }),
    input: z.unknown().openapi({ description: "The exact input the call will run with." }),
    callHash: z.string().openapi({ description: "Binds the approval to this call only." }),
    principal: z.unknown().openapi({ description: "Who asked (an agent or an operator)." }),
    reasons: z.unknown().openapi({ description: "Why the policies ask for an approval." }),
    status: z.enum(["pending", "approved", "rejected", "expired", "used"]),
    requestedAt: z.string(),
    expiresAt: z.string(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    decisionReason: z.string().nullable(),
    usedAt: z.string().nullable(),
  })
  .openapi("Approval");

const IdParams = z.object({ id: z.string().min(1).max(100).openapi({ param: { name: "id", in: "path" }, example: "apr_0123456789abcdef" }) });
const ApproveBody = z.object({ reason: z.string().trim().max(2000).optional() }).openapi("ApproveRequest");
const RejectBody = z.object({ reason: z.string({ error: "a rejection needs a reason" }).trim().min(1, "a rejection needs a reason").max(2000) }).openapi("RejectRequest");
/** What an approved request made outside any cycle did when it ran (null for a cycle's approval, or a rejection). */
const RanSchema = z
  .object({
    status: z.enum(["executed", "denied", "approval_required", "invalid"]).openapi({ description: "What the gate did with the approved call (it decides again when the call runs)." }),
    result: z.enum(["success", "no_data", "error"]).nullable().openapi({ description: "The tool's result, when it ran." }),
    summary: z.string(),
  })
  .nullable()
  .openapi("ApprovedRun");
const Answer = jsonContent(z.object({ approval: ApprovalSchema, ran: RanSchema }), "The approval as decided, and what its call did if it ran at once.");
const decisionErrors = errorResponses(403, 404, 409);

const routes = {
  list: createRoute({ method: "get", path: "/", tags: ["approvals"], summary: "Pending approvals, oldest first", responses: { 200: jsonContent(z.object({ approvals: z.array(ApprovalSchema) }), "The approvals waiting for an answer.") } }),
  get: createRoute({ method: "get", path: "/{id}", tags: ["approvals"], summary: "One approval, whatever its state", request: { params: IdParams }, responses: { 200: jsonContent(z.object({ approval: ApprovalSchema }), "The approval."), ...errorResponses(404) } }),
  approve: createRoute({
    method: "post",
    path: "/{id}/approve",
    tags: ["approvals"],
    summary: "Approve the call (the policies decide which operators may)",
    request: { params: IdParams, body: optionalJsonBody(ApproveBody) },
    responses: { 200: Answer, ...decisionErrors },
  }),
  reject: createRoute({
    method: "post",
    path: "/{id}/reject",
    tags: ["approvals"],
    summary: "Reject the call, with a reason",
    request: { params: IdParams, body: jsonBody(RejectBody) },
    responses: { 200: Answer, ...decisionErrors },
  }),
};

/** Pending approvals (viewer), and approving or rejecting them (operator, then the policies). */
export function approvalRoutes(ap: Autopilot, guards: Guards) {
  const decide = async (c: Context, id: string, decision: "approved" | "rejected", reason: string | undefined) => {
    const principal = principalOf(c);
    const pending = await ap.store.approvals.get(id);
    if (!pending) throw new HttpError(404, "not_found", `no approval ${id}`);
    // The role lets an operator in; the policies decide whether this operator may decide this call.
    const cycle = pending.cycleId ? await ap.store.cycles.get(pending.cycleId) : null;
    const environment = (cycle?.environment ?? ap.environment) as Environment;
    const verdict = await ap.gate.decideOperatorAction({ type: "Operator", id: principal.name, role: principal.role }, decision === "approved" ? "approve" : "reject", environment);
    if (verdict.outcome !== "allow") throw new HttpError(403, "denied_by_policy", verdict.reasons.join("; "));
    try {
      const { approval, ran } = await decideApproval(ap, id, { decision, by: principal.name, reason: reason || null });
      return { approval, ran: ran && describeRun(ran) };
    } catch (error) {
      if (isAutopilotError(error) && error.code === "own_request") throw new HttpError(403, "own_request", error.message);
      throw error;
    }
  };
  return new OpenAPIHono()
    .openapi({ ...routes.list, middleware: guards.viewer }, async (c) => c.json({ approvals: await ap.store.approvals.listPending(new Date()) }, 200))
    .openapi({ ...routes.get, middleware: guards.viewer }, async (c) => {
      const id = c.req.valid("param").id;
      const row = await ap.store.approvals.get(id);
      if (!row) throw new HttpError(404, "not_found", `no approval ${id}`);
      return c.json({ approval: row }, 200);
    })
    .openapi({ ...routes.approve, middleware: guards.operator }, async (c) => c.json(await decide(c, c.req.valid("param").id, "approved", c.req.valid("json").reason), 200))
    .openapi({ ...routes.reject, middleware: guards.operator }, async (c) => c.json(await decide(c, c.req.valid("param").id, "rejected", c.req.valid("json").reason), 200));
}

/** An approved call's run as the API reports it. */
function describeRun(ran: GateResult): z.infer<typeof RanSchema> {
  switch (ran.status) {
    case "executed":
      return { status: ran.status, result: ran.outcome.status, summary: ran.outcome.summary };
    case "invalid":
      return { status: ran.status, result: null, summary: ran.message };
    default:
      return { status: ran.status, result: null, summary: ran.decision.reasons.join("; ") };
  }
}
