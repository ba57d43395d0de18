import { parentPort, workerData } from "node:worker_threads";
import { errorMessage } from "../../core/index.js";
import type { Config } from "../config.js";
import { createLogger } from "../logger.js";
import { createCycleTracer } from "./experiment-trace.js";
import { providerFor } from "./models.js";
import { playScenario } from "./play.js";
import type { PlayJob, PlayReply } from "./pool.js";

// One worker thread of the pool: it plays the scenarios it is sent, one at a time, and answers with their runs.
const { config, logLevel } = workerData as { config: Config; logLevel: string };
const logger = createLogger({ level: logLevel, secrets: config.secrets });
const models = providerFor(config);
const { apiKey, endpoint, project } = config.tracing;

async function play(job: PlayJob) {
  // In a LangSmith experiment the cycles hang under the experiment's run of this play.
  const tracer = job.trace && apiKey ? createCycleTracer(job.trace, { apiKey, endpoint, project, secrets: config.secrets }) : null;
  const run = await playScenario(job.scenario, { config, models, logger, callbacksFor: tracer?.callbacksFor });
  await tracer?.finish(run).catch((error: unknown) => logger.warn({ err: errorMessage(error), scenario: job.scenario.name }, "sending the cycles' traces failed"));
  return run;
}

parentPort!.on("message", (job: PlayJob) => {
  play(job).then(
    (run) => parentPort!.postMessage({ id: job.id, run } satisfies PlayReply),
    (error: unknown) => parentPort!.postMessage({ id: job.id, error: errorMessage(error) } satisfies PlayReply),
  );
});
