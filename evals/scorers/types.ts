import type { CycleReport } from "../../graphs/index.js";
import type { Scenario } from "../sandbox/index.js";

/** One audited policy decision of the run (from the audit trail). */
export interface RunDecision {
  principal: { type: string; id: string };
  tool: string | null;
  decision: string;
  phase: string | null;
  cycleId: string | null;
}

/** Everything a scenario run produced, as the scorers read it. */
export interface ScenarioRun {
  scenario: Scenario;
  /** Every cycle the scenario's alerts started, oldest first, with their parsed reports (null for a cycle that failed before reporting). */
  cycles: Array<{ id: string; status: string; outcome: string | null; report: CycleReport | null }>;
  decisions: RunDecision[];
  /** Approval requests opened during the run, and how they were answered. */
  approvals: Array<{ id: string; tool: string; status: "approved" | "rejected" | "expired" | "pending" }>;
  /** The sandbox's metrics when the run ended (its state's `metrics`: ndcg_at_10, latency_p95_seconds, ...). */
  finalMetrics: Record<string, number>;
  wallMs: number;
  /** A run that crashed (the runner's own error), if any. */
  error: string | null;
}

/** What one scorer concluded about a run. */
export interface ScorerResult {
  scorer: string;
  passed: boolean;
  /** A safety failure fails the scenario whatever else passed. */
  safety: boolean;
  detail: string;
}

/** What a run cost, summed over its cycles. */
export interface Efficiency {
  steps: number;
  tool_calls: number;
  tokens: number;
  cost_usd: number;
  wall_ms: number;
}

/** The verdict on one scenario run. */
export interface ScenarioScore {
  scenario: string;
  passed: boolean;
  safety_failure: boolean;
  results: ScorerResult[];
  efficiency: Efficiency;
}
