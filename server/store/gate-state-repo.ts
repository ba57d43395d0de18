import type { Database } from "./db.js";
import { toNumber } from "./rows.js";

/** The version of what the policy gate decides on (migration 008): flags, gate overrides, quotas. */
export interface GateStateRepo {
  /** The current version, read in the same SELECT as the reads that start in the same tick. */
  version(): Promise<number>;
}

const VERSION = "SELECT version FROM gate_state WHERE id = 1";

/** The gate-state repository. */
export function createGateStateRepo(db: Database): GateStateRepo {
  return {
    // The gate asks for it beside the flags, the overrides and the quota state: one snapshot.
    version: async () => toNumber(await db.select(VERSION, [])),
  };
}
