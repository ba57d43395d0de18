import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ARTIFACT_KINDS, isCycleId, OUTCOMES } from "../../../core/index.js";
import { CycleReportSchema, type CycleReport } from "../../../graphs/index.js";
import type { Autopilot } from "../../autopilot.js";
import type { CycleRow } from "../../store/index.js";
import type { Guards } from "../auth.js";
import { HttpError } from "../errors.js";
import { documentable, errorResponses, jsonContent } from "../openapi.js";

const STATUSES = ["queued", "running", "awaiting_approval", "completed", "failed"] as const;

/** A cycle as the API shows it. */
export const CycleViewSchema = z
  .object({
    id: z.string().openapi({ example: "si_2026_11_20_001" }),
    status: z.enum(STATUSES),
    environment: z.string(),
    service: z.string().nullable().openapi({ description: "Null when the alert named no known service." }),
    signal: z.string().nullable().openapi({ description: "Null when the alert matched no signal of the trigger contract." }),
    trigger: z.record(z.string(), z.unknown()).openapi({ description: "What started the cycle (the alert's labels, value and baseline)." }),
    alert_count: z.number().int(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    outcome: z.enum(OUTCOMES).nullable(),
    error: z.string().nullable(),
    pending_approval_id: z.string().nullable(),
    attempts: z.number().int(),
  })
  .openapi("Cycle");

/** A cycle as the API shows it. */
export function cycleView(row: CycleRow): z.infer<typeof CycleViewSchema> {
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
    outcome: row.outcome as (typeof OUTCOMES)[number] | null,
    error: row.error,
    pending_approval_id: row.pendingApprovalId,
    attempts: row.attempts,
  };
}

/** A cycle id in a path: `si_YYYY_MM_DD_NNN`. */
export const CycleIdParams = z.object({
  id: z
    .string()
    .refine(isCycleId, "is not a cycle id (si_YYYY_MM_DD_NNN)")
    .openapi({ param: { name: "id", in: "path" }, example: "si_2026_11_20_001" }),
});

const ListQuery = z.object({
  status: z.enum(STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: "Page size (1-200)." }),
  before: z.string().optional().openapi({ description: "The id of the last cycle of the previous page (`next_before`)." }),
});

const AuditEntrySchema = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    atIso: z.string().openapi({ description: "`at` exactly as hashed." }),
    cycleId: z.string().nullable(),
    kind: z.string().openapi({ example: "policy_decision" }),
    actor: z.object({ type: z.string(), id: z.string() }),
    tool: z.string().nullable(),
    decision: z.string().nullable(),
    data: z.unknown(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .openapi("AuditEntry");

const ArtifactRefSchema = z.object({ id: z.string(), kind: z.enum(ARTIFACT_KINDS), name: z.string(), mediaType: z.string(), sha256: z.string(), size: z.number().int() }).openapi("ArtifactRef");
const ArtifactSchema = ArtifactRefSchema.extend({ cycleId: z.string(), content: z.string(), createdAt: z.string() }).openapi("Artifact");

const routes = {
  list: createRoute({
    method: "get",
    path: "/",
    tags: ["cycles"],
    summary: "Cycles, newest first",
    request: { query: ListQuery },
    responses: { 200: jsonContent(z.object({ cycles: z.array(CycleViewSchema), next_before: z.string().nullable() }), "A page of cycles; `next_before` asks for the next one.") },
  }),
  get: createRoute({
    method: "get",
    path: "/{id}",
    tags: ["cycles"],
    summary: "A cycle and its report",
    request: { params: CycleIdParams },
    responses: { 200: jsonContent(z.object({ cycle: CycleViewSchema, report: documentable(CycleReportSchema).openapi("CycleReport").nullable() }), "The cycle; its report once it finished."), ...errorResponses(404) },
  }),
  audit: createRoute({
    method: "get",
    path: "/{id}/audit",
    tags: ["cycles"],
    summary: "A cycle's audit trail",
    request: { params: CycleIdParams },
    responses: { 200: jsonContent(z.object({ cycle_id: z.string(), entries: z.array(AuditEntrySchema) }), "Every audit entry of the cycle, in order."), ...errorResponses(404) },
  }),
  artifacts: createRoute({
    method: "get",
    path: "/{id}/artifacts",
    tags: ["cycles"],
    summary: "A cycle's artifacts (without their content)",
    request: { params: CycleIdParams },
    responses: { 200: jsonContent(z.object({ cycle_id: z.string(), artifacts: z.array(ArtifactRefSchema) }), "The cycle's artifacts, oldest first."), ...errorResponses(404) },
  }),
};

/** The cycle `id` names (validated by CycleIdParams), or a 404. */
export async function cycleOr404(ap: Pick<Autopilot, "store">, id: string): Promise<CycleRow> {
  const row = await ap.store.cycles.get(id);
  if (!row) throw new HttpError(404, "not_found", `no cycle ${id}`);
  return row;
}

/** Cycles, their reports, audit trails and artifacts (viewer). */
export function cycleRoutes(ap: Autopilot, guards: Guards) {
  const viewer = { middleware: guards.viewer };
  return new OpenAPIHono()
    .openapi({ ...routes.list, ...viewer }, async (c) => {
      const q = c.req.valid("query");
      const rows = await ap.store.cycles.list(q);
      return c.json({ cycles: rows.map(cycleView), next_before: rows.length === q.limit ? rows[rows.length - 1]!.id : null }, 200);
    })
    .openapi({ ...routes.get, ...viewer }, async (c) => {
      const row = await cycleOr404(ap, c.req.valid("param").id);
      return c.json({ cycle: cycleView(row), report: (row.report ?? null) as CycleReport | null }, 200);
    })
    .openapi({ ...routes.audit, ...viewer }, async (c) => {
      const row = await cycleOr404(ap, c.req.valid("param").id);
      const entries = await ap.store.audit.list({ cycleId: row.id, limit: 5000 });
      return c.json({ cycle_id: row.id, entries }, 200);
    })
    .openapi({ ...routes.artifacts, ...viewer }, async (c) => {
      const row = await cycleOr404(ap, c.req.valid("param").id);
      return c.json({ cycle_id: row.id, artifacts: await ap.store.artifacts.list(row.id) }, 200);
    });
}

const artifactRoute = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["cycles"],
  summary: "One artifact with its content",
  request: { params: z.object({ id: z.string().min(1).max(100).openapi({ param: { name: "id", in: "path" }, example: "art_0123456789abcdef" }) }) },
  responses: { 200: jsonContent(ArtifactSchema, "The artifact."), ...errorResponses(404) },
});

/** `GET /api/v1/artifacts/:id`: one artifact with its content (viewer). */
export function artifactRoutes(ap: Autopilot, guards: Guards) {
  return new OpenAPIHono().openapi({ ...artifactRoute, middleware: guards.viewer }, async (c) => {
    const id = c.req.valid("param").id;
    const row = await ap.store.artifacts.get(id);
    if (!row) throw new HttpError(404, "not_found", `no artifact ${id}`);
    return c.json(row, 200);
  });
}
