import { parseArgs } from "node:util";
import { errorMessage } from "../core/index.js";
import { isPolicyLoadError } from "../policies/index.js";
import { ConfigError, loadConfig } from "./config.js";
import { runDemo } from "./commands/demo.js";
import { runServe } from "./commands/serve.js";
import { runToken } from "./commands/token.js";
import { runAudit } from "./commands/audit.js";
import { runDoctorCommand } from "./commands/doctor.js";
import { runDetector } from "./commands/detector.js";
import { runEvalCommand } from "./commands/eval.js";

const USAGE = `usage: autopilot <command>

  serve                          start the server (npm start)
  demo [--scenario NAME]         run one scenario end to end in-process (default: ndcg-drop)
  token create --role ROLE [--name NAME] | token list | token revoke ID
  audit verify | audit head      check the audit trail's hash chain
  doctor [--json]                check each configured system: reachable, authenticated, version
  detector train SERVICE:SIGNAL  queue a cycle that trains, gates and promotes the series' anomaly detector
  eval [--suite NAME|FOLDER] [--model runbook|openai:MODEL] [--repeat N] [--out DIR] [--concurrency N]
                                 play scenario suites and score the agents' decisions (exit 1 on a failure)

Configuration comes from the environment; see README.md.`;

/** The command line. Output goes to stdout; logs go to stderr. */
export async function main(argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    out(USAGE);
    return command ? 0 : 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      scenario: { type: "string" },
      role: { type: "string" },
      name: { type: "string" },
      json: { type: "boolean" },
      suite: { type: "string" },
      model: { type: "string" },
      repeat: { type: "string" },
      out: { type: "string" },
      concurrency: { type: "string" },
    },
  });
  const config = loadConfig();
  switch (command) {
    case "serve": {
      const server = await runServe(config, out);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await server.close();
      return 0;
    }
    case "demo":
      return (await runDemo(config, values.scenario ?? positionals[0] ?? "ndcg-drop", out)).exitCode;
    case "token":
      return runToken(config, { action: positionals[0] ?? "", role: values.role, name: values.name, id: positionals[1] }, out);
    case "audit":
      return runAudit(config, positionals[0] ?? "", out);
    case "doctor":
      return runDoctorCommand(config, { json: values.json ?? false }, out);
    case "detector":
      return runDetector(config, { action: positionals[0] ?? "", series: positionals[1] }, out);
    case "eval":
      return runEvalCommand(config, { suite: values.suite ?? positionals[0], model: values.model, repeat: values.repeat, out: values.out, concurrency: values.concurrency }, out);
    default:
      process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (isPolicyLoadError(error)) {
      // Every problem of every policy file, so they can all be fixed in one go.
      process.stderr.write(`autopilot: the policies do not load:\n${error.problems.map((p) => `  ${p.file}:${p.line}: ${p.reason}`).join("\n")}\n`);
    } else {
      process.stderr.write(`autopilot: ${error instanceof ConfigError ? error.message : errorMessage(error)}\n`);
    }
    process.exit(1);
  },
);
