import { randomBytes } from "node:crypto";
import { AutopilotError, canonicalJson, sha256Hex, type ServiceCatalog } from "../core/index.js";
import type { AutopilotClient, CycleStatusName, CycleSummary, PendingApproval } from "../tools/autopilot/index.js";
import { classifyAlert } from "./alerts/classify.js";
import type { ApprovalRow, CycleRow } from "./store/index.js";
import type { Store } from "./autopilot.js";

/** The alert name of a cycle a person (an operator in the chat, an MCP client) asked for. */
export const REQUEST_ALERTNAME = "CycleRequested";

/** What the autopilot tools' client reads and where requested cycles go. */
export interface AutopilotClientDeps {
  store: Pick<Store, "cycles" | "audit" | "approvals" | "alerts">;
  catalog: ServiceCatalog;
  /** Business time of the platform (a requested cycle's alert starts then). */
  now: () => Date;
  /** A requested cycle joins an active cycle of its service created at most this long ago. */
  groupWindowMs: number;
  /** Tells the cycle runner there is work. */
  wake: () => void;
}

// Cycles scanned at most for one filtered page (an outcome or service filter is applied in memory).
const SCAN_LIMIT = 1000;
const SCAN_PAGE = 100;

/** The autopilot tools' client over the store: what the policy gate hands to tools/autopilot. */
export function createAutopilotClient(deps: AutopilotClientDeps): AutopilotClient {
  const { store } = deps;
  return {
    async listCycles({ status, outcome, service, limit, before }) {
      // An outcome belongs to a completed cycle; other filters need no scan when absent.
      const storedStatus = outcome ? "completed" : status;
      if (outcome && status && status !== "completed") return { cycles: [], next_before: null };
      if (!outcome && !service) {
        const rows = await store.cycles.list({ status: storedStatus, limit, before });
        return { cycles: rows.map(cycleSummary), next_before: rows.length === limit ? rows.at(-1)!.id : null };
      }
      const found: CycleRow[] = [];
      let cursor = before;
      for (let scanned = 0; scanned < SCAN_LIMIT; scanned += SCAN_PAGE) {
        const rows = await store.cycles.list({ status: storedStatus, limit: SCAN_PAGE, before: cursor });
        for (const row of rows) {
          if ((outcome && row.outcome !== outcome) || (service && row.service !== service)) continue;
          found.push(row);
          if (found.length === limit) return { cycles: found.map(cycleSummary), next_before: row.id };
        }
        if (rows.length < SCAN_PAGE) return { cycles: found.map(cycleSummary), next_before: null };
        cursor = rows.at(-1)!.id;
      }
      return { cycles: found.map(cycleSummary), next_before: cursor ?? null };
    },

    async getCycle(id) {
      const row = await store.cycles.get(id);
      if (!row) return null;
      return { cycle: cycleSummary(row), report: row.report && typeof row.report === "object" ? (row.report as Record<string, unknown>) : null };
    },

    async getCycleAudit(id, { afterSeq, limit }) {
      if (!(await store.cycles.get(id))) return null;
      const rows = await store.audit.list({ cycleId: id, afterSeq, limit: limit + 1 });
      const page = rows.slice(0, limit);
      return {
        entries: page.map((r) => ({ seq: r.seq, at: r.atIso, kind: r.kind, actor: r.actor, tool: r.tool, decision: r.decision, data: r.data })),
        next_after_seq: rows.length > limit ? page.at(-1)!.seq : null,
      };
    },

    async listApprovals() {
      return (await store.approvals.listPending(new Date())).map(pendingApproval);
    },

    async requestCycle({ environment, service, signal, reason }) {
      if (!deps.catalog[service]) {
        throw new AutopilotError("unknown_service", `service "${service}" is not in the catalog (${Object.keys(deps.catalog).join(", ")})`);
      }
      const now = deps.now();
      const labels = { alertname: REQUEST_ALERTNAME, signal, service, severity: "info" };
      // A fresh fingerprint per request: two requests are two alerts, grouped into one active cycle.
      const fingerprint = sha256Hex(canonicalJson({ labels, reason, at: now.toISOString(), nonce: randomBytes(8).toString("hex") })).slice(0, 16);
      const payload = {
        groupKey: `{}:{alertname="${REQUEST_ALERTNAME}"}`,
        receiver: "autopilot",
        status: "firing",
        alerts: [{ status: "firing" as const, labels, annotations: { summary: reason }, startsAt: now.toISOString(), endsAt: "0001-01-01T00:00:00Z", generatorURL: "", fingerprint }],
      };
      const result = await store.alerts.ingest(payload, {
        now,
        groupWindowMs: deps.groupWindowMs,
        defaultEnvironment: environment,
        classify: (alert) => classifyAlert(alert as never, environment),
      });
      const alert = result.alerts[0];
      if (!alert?.cycleId) throw new AutopilotError("request_not_queued", `the request for ${signal} of ${service} started no cycle`);
      if (result.cyclesStarted.length > 0) deps.wake();
      return { cycle_id: alert.cycleId, disposition: alert.disposition === "started" ? "started" : alert.disposition === "joined" ? "joined" : "duplicate" };
    },
  };
}

/** A cycle row as the autopilot tools show it. */
function cycleSummary(row: CycleRow): CycleSummary {
  const t = row.trigger as Record<string, unknown>;
  const record = (value: unknown) => (value && typeof value === "object" ? (value as Record<string, string>) : {});
  return {
    id: row.id,
    status: row.status as CycleStatusName,
    environment: row.environment,
    service: row.service,
    signal: row.signal,
    alertname: typeof t.alertname === "string" ? t.alertname : null,
    value: typeof t.value === "number" ? t.value : null,
    baseline: typeof t.baseline === "number" ? t.baseline : null,
    alert_count: row.alertCount,
    created_at: row.createdAt.toISOString(),
    started_at: row.startedAt?.toISOString() ?? null,
    finished_at: row.finishedAt?.toISOString() ?? null,
    outcome: row.outcome,
    error: row.error,
    pending_approval_id: row.pendingApprovalId,
    untrusted_alert: { labels: record(t.labels), annotations: record(t.annotations) },
  };
}

function pendingApproval(row: ApprovalRow): PendingApproval {
  return {
    id: row.id,
    cycle_id: row.cycleId,
    tool: row.tool,
    input: row.input,
    reasons: row.reasons,
    requested_by: row.principal,
    requested_at: row.requestedAt.toISOString(),
    expires_at: row.expiresAt.toISOString(),
  };
}
