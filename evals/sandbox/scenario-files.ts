import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { AutopilotError } from "../../core/index.js";
import { ScenarioSchema, type Scenario } from "./scenario.js";

// Scenario files: where they live, reading and validating one (every bad field named), and the
// JSON Schema editors validate them against.

/** The folder holding the scenario files. */
export const SCENARIOS_DIR = fileURLToPath(new URL("../scenarios/", import.meta.url));

/** A scenario file that cannot be read or does not follow the format; `details.issues` lists every problem. */
export class ScenarioError extends AutopilotError {
  override name = "ScenarioError";
}

/** The path of the scenario file called `name` in evals/scenarios. */
export function scenarioPath(name: string): string {
  return join(SCENARIOS_DIR, `${name}.yaml`);
}

/** The names of the scenarios in evals/scenarios, sorted. */
export function listScenarios(): string[] {
  return readdirSync(SCENARIOS_DIR)
    .filter((file) => file.endsWith(".yaml"))
    .map((file) => file.slice(0, -".yaml".length))
    .sort();
}

/** Loads a scenario by name (evals/scenarios/<name>.yaml) or by path, throwing a ScenarioError naming each bad field. */
export function loadScenario(nameOrPath: string): Scenario {
  const isPath = nameOrPath.includes("/") || nameOrPath.includes("\\") || /\.ya?ml$/.test(nameOrPath);
  const path = isPath ? nameOrPath : scenarioPath(nameOrPath);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const known = isPath ? "" : ` (known scenarios: ${listScenarios().join(", ")})`;
    throw new ScenarioError("scenario_not_found", `scenario ${path} cannot be read${known}`, { details: { source: path }, cause: error });
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new ScenarioError("scenario_invalid", `scenario ${path} is not valid YAML: ${(error as Error).message}`, { details: { source: path }, cause: error });
  }
  const scenario = parseScenario(data, path);
  const fileName = basename(path, extname(path));
  if (scenario.name !== fileName) {
    throw invalid(path, [{ path: "name", message: `is "${scenario.name}" but the file is called ${fileName}${extname(path)}; they must match` }]);
  }
  return scenario;
}

/** Validates already-parsed scenario data; `source` names it in errors. */
export function parseScenario(data: unknown, source = "scenario"): Scenario {
  const result = ScenarioSchema.safeParse(data);
  if (result.success) return result.data;
  throw invalid(
    source,
    result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: friendly(issue) })),
  );
}

/** The JSON Schema of the scenario format (what an editor validates YAML files against). */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ScenarioSchema, { io: "input" }) as Record<string, unknown>;
  return { ...schema, $id: "https://mlops-autopilot.dev/schemas/scenario.schema.json", title: "mlops-autopilot sandbox scenario" };
}

/** Writes the scenario JSON Schema, by default to evals/scenarios/scenario.schema.json; returns the path. */
export function writeScenarioJsonSchema(path = join(SCENARIOS_DIR, "scenario.schema.json")): string {
  writeFileSync(path, `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  return path;
}

function invalid(source: string, issues: { path: string; message: string }[]): ScenarioError {
  const lines = issues.map((issue) => `  - ${issue.path || "(top level)"}: ${issue.message}`);
  return new ScenarioError("scenario_invalid", `scenario ${source} is invalid:\n${lines.join("\n")}`, { details: { source, issues } });
}

// "Invalid input: expected number, received undefined" reads better as "is required (a number)".
function friendly(issue: z.core.$ZodIssue): string {
  const missing = /^Invalid input: expected (\w+), received undefined$/.exec(issue.message);
  return missing ? `is required (${missing[1] === "array" ? "a list" : `a ${missing[1]}`})` : issue.message;
}

// events[0].quality_drop, the way an operator reads a YAML path.
function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : `${out ? "." : ""}${String(part)}`;
  return out;
}
