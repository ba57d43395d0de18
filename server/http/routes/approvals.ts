import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import type { Environment } from "../../../core/index.js";
import type { Autopilot } from "../../autopilot.js";
import { decideApproval } from "../../approvals.js";
import type { ApiPrincipal } from "../auth.js";
import { HttpError } from "../errors.js";
import { readBody } from "../body.js";

const Decision = z.object({ reason: z.string().trim().max(2000).optional() });

/** Pending approvals, and approving or rejecting them (operator role). */
export function approvalRoutes(ap: Autopilot, operatorOnly: import("hono").MiddlewareHandler) {
  const decide = (decision: "approved" | "rejected") => async (c: import("hono").Context) => {
    const { reason } = await readBody(c, Decision, { emptyAsObject: true });
    if (decision === "rejected" && !reason) throw new HttpError(400, "reason_required", "a rejection needs a reason");
    const principal = c.get("principal" as never) as ApiPrincipal;
    const id = c.req.param("id")!;
    const pending = await ap.store.approvals.get(id);
    if (!pending) throw new HttpError(404, "not_found", `no approval ${id}`);
    // The role lets an operator in; the policies decide whether this operator may decide this call.
    const cycle = pending.cycleId ? await ap.store.cycles.get(pending.cycleId) : null;
    const environment = (cycle?.environment ?? ap.environment) as Environment;
    const verdict = await ap.gate.decideOperatorAction({ type: "Operator", id: principal.name, role: principal.role }, decision === "approved" ? "approve" : "reject", environment);
    if (verdict.outcome !== "allow") throw new HttpError(403, "denied_by_policy", verdict.reasons.join("; "));
    const row = await decideApproval(ap, id, { decision, by: principal.name, reason: reason ?? null });
    return c.json({ approval: row });
  };
  const limit = bodyLimit({
    maxSize: 16 * 1024,
    onError: () => {
      throw new HttpError(413, "payload_too_large", "the body exceeds 16 KiB");
    },
  });
  return new Hono()
    .get("/", async (c) => c.json({ approvals: await ap.store.approvals.listPending(new Date()) }))
    .get("/:id", async (c) => {
      const row = await ap.store.approvals.get(c.req.param("id"));
      if (!row) throw new HttpError(404, "not_found", `no approval ${c.req.param("id")}`);
      return c.json({ approval: row });
    })
    .post("/:id/approve", operatorOnly, limit, decide("approved"))
    .post("/:id/reject", operatorOnly, limit, decide("rejected"));
}
