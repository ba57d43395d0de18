/**
 * What the policy gate needs from storage, as narrow interfaces. server/store implements them;
 * policies never import the server.
 */

/** One audit row to append. */
export interface AuditEntry {
  at: Date;
  cycleId: string | null;
  kind: string;
  actor: { type: string; id: string };
  tool?: string;
  decision?: string;
  data: unknown;
}

/** The append-only audit trail. */
export interface AuditPort {
  append(entry: AuditEntry): Promise<{ seq: number | string; hash: string }>;
  /**
   * Appends `entry` only if the gate state is still at `stateVersion` (see GateStatePort), the
   * check and the write in one statement; null, with nothing written, when it has moved.
   */
  appendIfState?(entry: AuditEntry, stateVersion: number): Promise<{ seq: number | string; hash: string } | null>;
}

/**
 * The version of everything a decision reads from storage (flags, gate overrides, quotas), moved
 * by every change to any of them. With it and AuditPort.appendIfState the gate may decide again on
 * what it read before, and records the decision only if nothing changed since.
 */
export interface GateStatePort {
  version(): Promise<number>;
}

/** Approvals: consumed once, for exactly the call they were granted for. */
export interface ApprovalsPort {
  consume(id: string, callHash: string, now: Date): Promise<{ id: string; decidedBy: string | null } | null>;
}

/** Feature flags of one environment, as the policies read them. */
export interface FlagSnapshot {
  killSwitch: boolean;
  autoPromote: boolean;
  autoRollback: boolean;
  abTesting: { enabled: boolean; splitPercent: number };
  costOptimization: { enabled: boolean; budgetUsdPerDay: number };
  manualApprovalRequired: boolean;
  maxCyclesPerDay: { enabled: boolean; limit: number };
  changeFreeze: { enabled: boolean; windows: Array<{ start: string; end: string; reason?: string }> };
}

/** Reads feature flags. */
export interface FlagsPort {
  forEnvironment(environment: string): Promise<FlagSnapshot>;
}

/** Daily quotas, reserved atomically when an allowed call runs (server/store/quotas-repo). */
export interface QuotasPort {
  /** Today's use of the environment's quotas, and whether the cycle (if any) holds one of its slots: one read. */
  state(environment: string, period: string, cycleId: string | null): Promise<{ cycles: number; spentUsd: number; holdsSlot: boolean }>;
  reserveCycleSlot(input: { environment: string; period: string; cycleId: string; limit: number; now: Date }): Promise<{ ok: boolean; used: number }>;
  reserveSpend(input: { environment: string; period: string; cycleId: string; amountUsd: number; budgetUsd: number; now: Date }): Promise<{ ok: boolean; used: number }>;
  reservedBy(environment: string, period: string, cycleId: string): Promise<number>;
}
