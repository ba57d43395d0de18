/**
 * `node --import tsx evals/anomaly/run.ts [folder]` (npm run eval:anomaly -- [folder]): the Isolation
 * Forest and the windowed Gaussian baseline on a folder in NAB's layout, evals/anomaly/nab by default.
 * Prints a table per file, a summary, then one JSON line last; exits 1 with the reason on a bad folder.
 */
import { fileURLToPath } from "node:url";
import { errorMessage } from "../../core/index.js";
import { createWindowedGaussianDetector } from "./baseline.js";
import { createIsolationForestDetector } from "./isolation-forest-detector.js";
import { runNabEvaluation } from "./run-evaluation.js";

const args = process.argv.slice(2).filter((a) => a !== "--");
if (args.length > 1 || args.some((a) => a.startsWith("-"))) {
  console.error("usage: npm run eval:anomaly -- [folder]   (a folder with data/<category>/<file>.csv and labels/combined_windows.json)");
  process.exit(2);
}
const folder = args[0] ?? fileURLToPath(new URL("./nab/", import.meta.url));

try {
  await runNabEvaluation(folder, {
    detector: createIsolationForestDetector(),
    baseline: createWindowedGaussianDetector(),
    write: (text) => console.log(text),
  });
} catch (error) {
  console.error(`eval:anomaly: ${errorMessage(error)}`);
  process.exit(1);
}
