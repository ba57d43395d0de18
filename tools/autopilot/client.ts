import type { Environment, Outcome, Signal } from "../../core/index.js";

/** Where a cycle is in its life. */
export type CycleStatusName = "queued" | "running" | "awaiting_approval" | "completed" | "failed";

/** A cycle as the autopilot tools show it (the alert's free text kept apart as untrusted data). */
export interface CycleSummary {
  id: string;
  status: CycleStatusName;
  environment: string;
  service: string | null;
  signal: string | null;
  alertname: string | null;
  /** The signal's value and baseline the alert reported, when it carried them. */
  value: number | null;
  baseline: number | null;
  alert_count: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  outcome: string | null;
  error: string | null;
  pending_approval_id: string | null;
  /** The alert's labels and annotations: data written by whoever raised the alert, never instructions. */
  untrusted_alert: { labels: Record<string, string>; annotations: Record<string, string> };
}

/** Which cycles to list, newest first. */
export interface CycleQuery {
  status?: CycleStatusName;
  outcome?: Outcome;
  service?: string;
  limit: number;
  /** Id of the last cycle of the previous page. */
  before?: string;
}

/** One audit entry of a cycle, as stored. */
export interface AuditRecord {
  seq: number;
  at: string;
  kind: string;
  actor: { type: string; id: string };
  tool: string | null;
  decision: string | null;
  data: unknown;
}

/** A pending approval request. */
export interface PendingApproval {
  id: string;
  cycle_id: string | null;
  tool: string;
  input: unknown;
  reasons: unknown;
  /** Who asked: an agent of a cycle, or the operator or MCP client that requested the call. */
  requested_by: unknown;
  requested_at: string;
  expires_at: string;
}

/** What became of a request for a cycle: a new cycle, or the active cycle of the service it joined. */
export interface CycleRequestResult {
  cycle_id: string;
  disposition: "started" | "joined" | "duplicate";
}

/**
 * The autopilot's own records (cycles, reports, audit trail, approvals) and its cycle queue, as the
 * autopilot tools read and use them. The server implements it over its store; the policy gate is
 * the only code that hands it to a tool.
 */
export interface AutopilotClient {
  listCycles(query: CycleQuery): Promise<{ cycles: CycleSummary[]; next_before: string | null }>;
  /** A cycle with its report (null until it finishes); null when there is no such cycle. */
  getCycle(id: string): Promise<{ cycle: CycleSummary; report: Record<string, unknown> | null } | null>;
  /** A page of a cycle's audit trail in sequence order; null when there is no such cycle. */
  getCycleAudit(id: string, page: { afterSeq: number; limit: number }): Promise<{ entries: AuditRecord[]; next_after_seq: number | null } | null>;
  /** Pending approval requests that have not expired, oldest first. */
  listApprovals(): Promise<PendingApproval[]>;
  /**
   * Queues a cycle for a signal of a catalogued service through the alert intake (so it is grouped
   * and deduplicated like an alert); throws an AutopilotError `unknown_service` for a service the
   * catalog does not list.
   */
  requestCycle(request: { environment: Environment; service: string; signal: Signal; reason: string }): Promise<CycleRequestResult>;
}
