import { Hono } from "hono";
import { z } from "zod";
import { isCycleId } from "../../../core/index.js";
import type { Autopilot } from "../../autopilot.js";
import type { CycleRow } from "../../store/index.js";
import { HttpError } from "../errors.js";
import { zodProblems } from "../body.js";

const ListQuery = z.object({
  status: z.enum(["queued", "running", "awaiting_approval", "completed", "failed"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().optional(),
});

/** A cycle as the API shows it. */
export function cycleView(row: CycleRow) {
  return {
    id: row.id,
    status: row.status,
    environment: row.environment,
    service: row.service,
    signal: row.signal,
    trigger: row.trigger,
    alert_count: row.alertCount,
    created_at: row.createdAt.toISOString(),
    started_at: row.startedAt?.toISOString() ?? null,
    finished_at: row.finishedAt?.toISOString() ?? null,
    outcome: row.outcome,
    error: row.error,
    pending_approval_id: row.pendingApprovalId,
    attempts: row.attempts,
  };
}

/** Cycles, their reports, audit trails and artifacts (read-only). */
export function cycleRoutes(ap: Autopilot) {
  const cycleOr404 = async (id: string) => {
    if (!isCycleId(id)) throw new HttpError(400, "invalid_cycle_id", `"${id}" is not a cycle id (si_YYYY_MM_DD_NNN)`);
    const row = await ap.store.cycles.get(id);
    if (!row) throw new HttpError(404, "not_found", `no cycle ${id}`);
    return row;
  };
  return new Hono()
    .get("/", async (c) => {
      const q = ListQuery.safeParse(c.req.query());
      if (!q.success) throw new HttpError(400, "invalid_query", zodProblems(q.error).join("; "));
      const rows = await ap.store.cycles.list(q.data);
      return c.json({ cycles: rows.map(cycleView), next_before: rows.length === q.data.limit ? rows[rows.length - 1]!.id : null });
    })
    .get("/:id", async (c) => {
      const row = await cycleOr404(c.req.param("id"));
      return c.json({ cycle: cycleView(row), report: row.report ?? null });
    })
    .get("/:id/audit", async (c) => {
      const row = await cycleOr404(c.req.param("id"));
      const entries = await ap.store.audit.list({ cycleId: row.id, limit: 5000 });
      return c.json({ cycle_id: row.id, entries });
    })
    .get("/:id/artifacts", async (c) => {
      const row = await cycleOr404(c.req.param("id"));
      return c.json({ cycle_id: row.id, artifacts: await ap.store.artifacts.list(row.id) });
    });
}

/** `GET /api/v1/artifacts/:id`: one artifact with its content. */
export function artifactRoutes(ap: Autopilot) {
  return new Hono().get("/:id", async (c) => {
    const row = await ap.store.artifacts.get(c.req.param("id"));
    if (!row) throw new HttpError(404, "not_found", `no artifact ${c.req.param("id")}`);
    return c.json(row);
  });
}
