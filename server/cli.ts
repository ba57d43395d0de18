import { parseArgs } from "node:util";
import { errorMessage } from "../core/index.js";
import { ConfigError, loadConfig } from "./config.js";

const USAGE = `usage: autopilot <command>

  serve                          start the server (npm start)
  demo [--scenario NAME]         run one scenario end to end in-process (default: ndcg-drop)
  token create --role ROLE [--name NAME] | token list | token revoke ID
  audit verify | audit head      check the audit trail's hash chain
  doctor [--json]                check each configured system: reachable, authenticated, version
  detector train SERVICE:SIGNAL  queue a cycle that trains, gates and promotes the series' anomaly detector
  eval [--suite NAME|FOLDER] [--model runbook|openai:MODEL] [--repeat N] [--out DIR] [--concurrency N]
                                 play scenario suites and score the agents' decisions (exit 1 on a failure)

Talking to a running server (AUTOPILOT_URL, default http://HOST:PORT, with the API token in
AUTOPILOT_TOKEN: the token's role and the policies apply as in the console):
  report [--week [YYYY-Www]] [--json]
                                 the weekly loop-health report as markdown, or its JSON (default: the
                                 server's current week; viewer role)
  cycles [--status S] [--limit N] [--json]
                                 the newest cycles: id, status, outcome (or the approval a parked cycle
                                 waits for), service, signal, trigger, duration, age (viewer role)
  approve ID [--reason R]        approve a pending approval (operator role, then the policies)
  reject ID --reason R           reject it, with a reason
  chat [MESSAGE]                 ask the supervisor; without MESSAGE, a conversation on the terminal
  mcp                            an MCP server on stdio for assistants (Claude Desktop, Cursor), relayed
                                 to the server's /mcp; the token's name is the MCP client, its role applies

Configuration comes from the environment; see README.md.`;

/**
 * `--week` with no value means the current week, which is also what leaving it out means: dropped
 * here, since parseArgs wants a value for a string option.
 */
function withoutBareWeek(args: string[]): string[] {
  return args.filter((arg, i) => arg !== "--week" || (args[i + 1] !== undefined && !args[i + 1]!.startsWith("-")));
}

/** The command line. Output goes to stdout; logs go to stderr. Each command's module loads only when it runs. */
export async function main(argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    out(USAGE);
    return command ? 0 : 2;
  }
  const { values, positionals } = parseArgs({
    args: withoutBareWeek(rest),
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
      week: { type: "string" },
      status: { type: "string" },
      limit: { type: "string" },
      reason: { type: "string" },
    },
  });
  const config = loadConfig();
  switch (command) {
    case "serve": {
      const { runServe } = await import("./commands/serve.js");
      const server = await runServe(config, out);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await server.close();
      return 0;
    }
    case "demo": {
      const { runDemo } = await import("./commands/demo.js");
      return (await runDemo(config, values.scenario ?? positionals[0] ?? "ndcg-drop", out)).exitCode;
    }
    case "token": {
      const { runToken } = await import("./commands/token.js");
      return runToken(config, { action: positionals[0] ?? "", role: values.role, name: values.name, id: positionals[1] }, out);
    }
    case "audit": {
      const { runAudit } = await import("./commands/audit.js");
      return runAudit(config, positionals[0] ?? "", out);
    }
    case "doctor": {
      const { runDoctorCommand } = await import("./commands/doctor.js");
      return runDoctorCommand(config, { json: values.json ?? false }, out);
    }
    case "detector": {
      const { runDetector } = await import("./commands/detector.js");
      return runDetector(config, { action: positionals[0] ?? "", series: positionals[1] }, out);
    }
    case "eval": {
      const { runEvalCommand } = await import("./commands/eval.js");
      return runEvalCommand(config, { suite: values.suite ?? positionals[0], model: values.model, repeat: values.repeat, out: values.out, concurrency: values.concurrency }, out);
    }
    case "report": {
      const { runReportCommand } = await import("./commands/report.js");
      return runReportCommand(config, { week: values.week ?? positionals[0], json: values.json ?? false }, out);
    }
    case "cycles": {
      const { runCyclesCommand } = await import("./commands/cycles.js");
      return runCyclesCommand(config, { status: values.status, limit: values.limit, json: values.json ?? false }, out);
    }
    case "approve":
    case "reject": {
      const { runApproveCommand } = await import("./commands/approve.js");
      return runApproveCommand(config, { decision: command, id: positionals[0], reason: values.reason }, out);
    }
    case "chat": {
      const { runChatCommand } = await import("./commands/chat.js");
      return runChatCommand(config, { message: positionals.join(" ").trim() || undefined }, out);
    }
    case "mcp": {
      const { runMcpCommand } = await import("./commands/mcp.js");
      return runMcpCommand(config);
    }
    default:
      process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (error: unknown) => {
    const { isPolicyLoadError } = await import("../policies/index.js");
    if (isPolicyLoadError(error)) {
      // Every problem of every policy file, so they can all be fixed in one go.
      process.stderr.write(`autopilot: the policies do not load:\n${error.problems.map((p) => `  ${p.file}:${p.line}: ${p.reason}`).join("\n")}\n`);
    } else {
      process.stderr.write(`autopilot: ${error instanceof ConfigError ? error.message : errorMessage(error)}\n`);
    }
    process.exit(1);
  },
);
