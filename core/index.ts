/** Types and helpers every layer uses: time, hashing, errors, ids, the trigger contract, findings. */
export { systemClock, SimulatedClock, sleepUntil } from "./clock.js";
export type { Clock, SimulatedClockOptions } from "./clock.js";
export { canonicalJson, sha256Hex, hashCanonical } from "./canonical-json.js";
export { AutopilotError, isAutopilotError, errorMessage } from "./errors.js";
export { CYCLE_ID_PATTERN, cycleDay, formatCycleId, isCycleId } from "./cycle-id.js";
export { ENVIRONMENTS, EnvironmentSchema } from "./environment.js";
export type { Environment } from "./environment.js";
export {
  SIGNALS,
  INTERNAL_SIGNALS,
  PHASES,
  CANDIDATE_STRATEGIES,
  DEFAULT_TRIGGER_CONTRACT,
  parseTriggerContract,
  withGateOverrides,
  isTriggered,
  isRollbackBreached,
  isSignal,
  GateRuleSchema,
} from "./trigger-contract.js";
export type {
  Signal,
  Phase,
  CandidateStrategy,
  TriggerRule,
  GateRule,
  RollbackRule,
  SignalContract,
  Guardrail,
  TriggerContract,
} from "./trigger-contract.js";
export {
  MonitorFinding,
  DiagnosisFinding,
  DatasetFinding,
  CandidateFinding,
  GateCheck,
  EvaluationFinding,
  DeploymentFinding,
  AbTestFinding,
  WatchFinding,
  RollbackFinding,
  BaselineFinding,
  GitChangeFinding,
  AnomaliesFinding,
  FINDING_SCHEMAS,
} from "./findings.js";
export type { FindingKind, FindingData } from "./findings.js";
export { ARTIFACT_KINDS, ArtifactDraftSchema } from "./artifacts.js";
export type { ArtifactKind, ArtifactDraft, ArtifactRef } from "./artifacts.js";
export { redactSecrets } from "./redact.js";
export { ServiceSchema, ServiceCatalogSchema, DEFAULT_SERVICE_CATALOG, segmentMetric } from "./service-catalog.js";
export type { Service, ServiceCatalog } from "./service-catalog.js";
export { AGENT_IDS, OUTCOMES, LOOP_STEPS, PHASE_STEPS, isStepId } from "./loop.js";
export type { AgentId, Outcome, LoopStep, StepId, LoopMove } from "./loop.js";
