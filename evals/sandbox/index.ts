/** The sandbox ML platform: scenarios, the simulated world and the HTTP APIs it speaks. */
export { createSandbox } from "./sandbox.js";
export type { Sandbox, SandboxOptions, SandboxUrls } from "./sandbox.js";
export type { SandboxListener } from "./server.js";
export type { SandboxState } from "./state.js";
export type { GitOpsReader, GitOpsValues } from "./gitops.js";
export type { AlertmanagerWebhook } from "./alerts.js";
export { ScenarioSchema } from "./scenario.js";
export { ScenarioError, SCENARIOS_DIR, loadScenario, parseScenario, scenarioPath, listScenarios, scenarioJsonSchema, writeScenarioJsonSchema } from "./scenario-files.js";
export type { Scenario, ScenarioEvent, ScenarioFault, ScenarioAlert } from "./scenario.js";
export { parseDuration } from "./duration.js";
