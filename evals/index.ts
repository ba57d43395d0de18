/** Evals and the world they run in: the sandbox ML platform and its scenarios. */
export { createSandbox, loadScenario, parseScenario, scenarioPath, listScenarios, ScenarioSchema, ScenarioError, parseDuration } from "./sandbox/index.js";
export type { Sandbox, Scenario, SandboxState } from "./sandbox/index.js";
export { scoreScenario } from "./scorers/index.js";
export type { RunDecision, ScenarioRun, ScorerResult, Efficiency, ScenarioScore } from "./scorers/index.js";
