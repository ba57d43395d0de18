/** The policy decision point (Cedar schema, default policies, the pure `decide()`) and the policy gate. */
export { buildCedarSchema, OPERATOR_ROLES, OPERATOR_ACTIONS } from "./schema.js";
export type { CedarSchema, PolicyTool, PrincipalType, ResourceType } from "./schema.js";
export { PolicyContextSchema } from "./context.js";
export type { PolicyContext } from "./context.js";
export { createPolicyEngine, loadPolicyEngine, readPolicyFiles, DEFAULT_POLICY_DIR } from "./engine.js";
export type { PolicyEngine, PolicyEngineOptions, Decision, PolicyRequest } from "./engine.js";
export type { PolicyFile } from "./policy-set.js";
export type { Obligation } from "./obligations.js";
export { PolicyError, PolicyLoadError, isPolicyLoadError } from "./errors.js";
export type { PolicyProblem } from "./errors.js";
export { createPolicyGate, callHash, outsideCycleScope } from "./gate.js";
export type { Principal, CallScope, ToolCallRequest, GateResult, PolicyGateDeps, PolicyGate } from "./gate.js";
export type { AuditEntry, AuditPort, ApprovalsPort, FlagSnapshot, FlagsPort, GateStatePort, QuotasPort } from "./ports.js";
export { quotaPeriod } from "./gate-context.js";
