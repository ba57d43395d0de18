/** The eval runner: plays scenario suites on embedded autopilots and reports how the agents decided. */
export { playScenario, crashedRun } from "./play.js";
export type { PlayOptions } from "./play.js";
export { createWorkerPool } from "./pool.js";
export type { ScenarioPlayer } from "./pool.js";
export { configForModel, providerFor, EvalError } from "./models.js";
export { loadSuite, runSuite } from "./suite.js";
export type { Suite, SuiteEntry, SuiteProblem, PlayedRun } from "./suite.js";
export { buildResults, summaryLine } from "./results.js";
export type { EvalResults, EvalSummary, ScenarioResult, RunResult } from "./results.js";
export { formatResults } from "./report-text.js";
export { renderHtml } from "./report-html.js";
export { createProgressBar } from "./progress-bar.js";
export type { ProgressStream } from "./progress-bar.js";
