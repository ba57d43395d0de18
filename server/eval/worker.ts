import { parentPort, workerData } from "node:worker_threads";
import { errorMessage } from "../../core/index.js";
import type { Config } from "../config.js";
import { createLogger } from "../logger.js";
import { providerFor } from "./models.js";
import { playScenario } from "./play.js";
import type { PlayJob, PlayReply } from "./pool.js";

// One worker thread of the pool: it plays the scenarios it is sent, one at a time, and answers with their runs.
const { config, logLevel } = workerData as { config: Config; logLevel: string };
const logger = createLogger({ level: logLevel, secrets: config.secrets });
const models = providerFor(config);

parentPort!.on("message", (job: PlayJob) => {
  playScenario(job.scenario, { config, models, logger }).then(
    (run) => parentPort!.postMessage({ id: job.id, run } satisfies PlayReply),
    (error: unknown) => parentPort!.postMessage({ id: job.id, error: errorMessage(error) } satisfies PlayReply),
  );
});
