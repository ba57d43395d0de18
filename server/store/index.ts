/** Storage: PostgreSQL or embedded PGlite through `pg`, migrations, repositories, the checkpointer. */
export { StoreError, isStoreError } from "./errors.js";
export { openDatabase, redactDatabaseUrl } from "./db.js";
export type { Database, OpenDatabaseOptions, StoreLogger } from "./db.js";
export { startPgliteServer } from "./pglite-server.js";
export type { PgliteServer, PgliteServerOptions } from "./pglite-server.js";
export { migrate } from "./migrate.js";
export type { Migration, MigrateResult } from "./migrate.js";
export { createAlertsRepo } from "./alerts-repo.js";
export type {
  AlertsRepo,
  AlertmanagerAlert,
  AlertmanagerPayload,
  AlertClassification,
  IngestOptions,
  IngestResult,
  IngestedAlert,
  AlertDisposition,
} from "./alerts-repo.js";
export { createCyclesRepo } from "./cycles-repo.js";
export type { CyclesRepo, CreateCycleInput, ListCyclesInput } from "./cycles-repo.js";
export type { CycleRow, CycleStatus, AlertTrigger } from "./cycle-rows.js";
export { createAuditRepo } from "./audit-repo.js";
export type { AuditRepo, AuditEntry, AuditRow, AuditHead, AuditVerification } from "./audit-repo.js";
export { createApprovalsRepo } from "./approvals-repo.js";
export type { ApprovalsRepo, ApprovalRow, ApprovalStatus, CreateApprovalInput, ApprovalDecision } from "./approvals-repo.js";
export { createArtifactsRepo } from "./artifacts-repo.js";
export type { ArtifactsRepo, ArtifactRow } from "./artifacts-repo.js";
export { createFlagsRepo, FLAG_NAMES } from "./flags-repo.js";
export type { FlagsRepo, FeatureFlags, FlagRow, FlagName, FreezeWindow } from "./flags-repo.js";
export { createCheckpointer } from "./checkpointer.js";
export { openTestDatabase } from "./testing.js";
export type { TestDatabaseOptions } from "./testing.js";
export { createTokensRepo } from "./tokens-repo.js";
export type { TokensRepo, TokenRow, TokenRole } from "./tokens-repo.js";
export { createQuotasRepo } from "./quotas-repo.js";
export type { QuotasRepo, Reservation } from "./quotas-repo.js";
export { createGateOverridesRepo } from "./gate-overrides-repo.js";
export { createGateStateRepo } from "./gate-state-repo.js";
export type { GateStateRepo } from "./gate-state-repo.js";
export type { GateOverridesRepo, GateOverride } from "./gate-overrides-repo.js";
export { createAnomalyMonitorRepo } from "./anomaly-monitor-repo.js";
export type { AnomalyMonitorRepo, AnomalyEventInput, EventClaim } from "./anomaly-monitor-repo.js";
export { createSessionsRepo } from "./sessions-repo.js";
export { createChatTurnsRepo } from "./chat-turns-repo.js";
export type { ChatTurnsRepo } from "./chat-turns-repo.js";
export type { SessionsRepo, SessionRow } from "./sessions-repo.js";
