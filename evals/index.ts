/** Evals and the world they run in: the sandbox ML platform and its scenarios. */
export { createSandbox, loadScenario, parseScenario, scenarioPath, listScenarios, ScenarioSchema, ScenarioError, parseDuration } from "./sandbox/index.js";
export type { Sandbox, Scenario, SandboxState } from "./sandbox/index.js";
// What a scenario sets up for its run, in the terms the runner applies (the sandbox's index lists the world's own names).
export { scenarioFlagSettings, operatorAnswer } from "./sandbox/scenario.js";
export type { ScenarioFlagSetting } from "./sandbox/scenario.js";
export { scoreScenario } from "./scorers/index.js";
export type { RunDecision, ScenarioRun, ScorerResult, Efficiency, ScenarioScore } from "./scorers/index.js";
