import type { FlagSnapshot } from "../ports.js";

/** Production's default flags, changed by `patch` (a fixture for tests of the gate and the routes). */
export function flagsFor(patch: Partial<FlagSnapshot> = {}): FlagSnapshot {
  return {
    killSwitch: false,
    autoPromote: true,
    autoRollback: true,
    abTesting: { enabled: true, splitPercent: 20 },
    costOptimization: { enabled: true, budgetUsdPerDay: 500 },
    manualApprovalRequired: false,
    maxCyclesPerDay: { enabled: true, limit: 20 },
    changeFreeze: { enabled: false, windows: [] },
    ...patch,
  };
}
