import { AutopilotError } from "../../../core/index.js";
import type { AuditRecord, AutopilotClient, CycleSummary, PendingApproval } from "../client.js";

/** An in-memory AutopilotClient for tests: cycles with reports, audit entries, approvals and a catalog. */
export interface FakeAutopilot {
  client: AutopilotClient;
  cycles: Array<CycleSummary & { report?: Record<string, unknown> | null }>;
  audit: Array<AuditRecord & { cycle_id: string }>;
  approvals: PendingApproval[];
  /** The requests it received, in order. */
  requests: Array<{ environment: string; service: string; signal: string; reason: string }>;
}

/** A cycle summary with defaults for what a test does not set. */
export function fakeCycle(patch: Partial<CycleSummary> & { id: string }): CycleSummary {
  return {
    status: "completed",
    environment: "production",
    service: "search",
    signal: "ndcg_drop",
    alertname: "SearchRelevanceDegraded",
    value: 0.6775,
    baseline: 0.72,
    alert_count: 1,
    created_at: "2026-11-20T08:20:00.000Z",
    started_at: "2026-11-20T08:20:01.000Z",
    finished_at: "2026-11-20T09:42:00.000Z",
    outcome: "promoted",
    error: null,
    pending_approval_id: null,
    untrusted_alert: { labels: {}, annotations: {} },
    ...patch,
  };
}

/** Creates a fake over `services` (the catalog), newest cycles first in `cycles`. */
export function fakeAutopilot(services: readonly string[] = ["search"]): FakeAutopilot {
  const fake: FakeAutopilot = {
    cycles: [],
    audit: [],
    approvals: [],
    requests: [],
    client: {
      async listCycles({ status, outcome, service, limit, before }) {
        const start = before ? fake.cycles.findIndex((c) => c.id === before) + 1 : 0;
        const matching = fake.cycles.slice(start).filter((c) => (!status || c.status === status) && (!outcome || c.outcome === outcome) && (!service || c.service === service));
        const page = matching.slice(0, limit).map(({ report: _report, ...c }) => c);
        return { cycles: page, next_before: matching.length > limit ? page.at(-1)!.id : null };
      },
      async getCycle(id) {
        const found = fake.cycles.find((c) => c.id === id);
        if (!found) return null;
        const { report, ...cycle } = found;
        return { cycle, report: report ?? null };
      },
      async getCycleAudit(id, { afterSeq, limit }) {
        if (!fake.cycles.some((c) => c.id === id)) return null;
        const after = fake.audit.filter((e) => e.cycle_id === id && e.seq > afterSeq);
        const entries = after.slice(0, limit).map(({ cycle_id: _id, ...e }) => e);
        return { entries, next_after_seq: after.length > limit ? entries.at(-1)!.seq : null };
      },
      async listApprovals() {
        return fake.approvals;
      },
      async requestCycle(request) {
        if (!services.includes(request.service)) throw new AutopilotError("unknown_service", `service "${request.service}" is not in the catalog (${services.join(", ")})`);
        fake.requests.push(request);
        const id = `si_2026_11_20_${String(900 + fake.requests.length).padStart(3, "0")}`;
        fake.cycles.unshift(fakeCycle({ id, status: "queued", service: request.service, signal: request.signal, outcome: null, finished_at: null, started_at: null }));
        return { cycle_id: id, disposition: "started" };
      },
    },
  };
  return fake;
}
