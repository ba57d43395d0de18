/** The eval runner: plays scenario suites on embedded autopilots and reports how the agents decided. */
export { createWorkerPool } from "./pool.js";
export { configForModel, EvalError } from "./models.js";
export { loadSuite, runSuite } from "./suite.js";
export type { PlayedRun } from "./suite.js";
export { runExperiment } from "./experiment.js";
export { buildResults, summaryLine } from "./results.js";
export { formatResults } from "./report-text.js";
export { renderHtml } from "./report-html.js";
export { createProgressBar } from "./progress-bar.js";
export type { ProgressStream } from "./progress-bar.js";
