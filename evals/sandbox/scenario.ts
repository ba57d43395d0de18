import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { AutopilotError, EnvironmentSchema, SIGNALS } from "../../core/index.js";
import { DURATION_PATTERN, parseDuration } from "./duration.js";
import { DEFAULT_WORKERS, PROCESSORS, type Processor } from "./processors.js";

/**
 * The scenario format: one YAML file describes a simulated world (its service, baseline quality,
 * timed events, what training achieves, faults) and what the autopilot should end up doing. Every
 * field carries a description so the generated JSON Schema doubles as the operator's reference.
 */

const Duration = z
  .string({ error: 'must be a duration string such as "90s", "20m" or "2h"' })
  .regex(DURATION_PATTERN, { error: 'must be a duration such as "90s", "20m", "2h" or "1h30m"' });
const At = Duration.describe("When it happens, counted from `start`.");
const Share = z.number().min(0).max(1);

const Baseline = z
  .strictObject({
    ndcg_at_10: z.number().gt(0).max(1).describe("Online NDCG@10 of the champion on every topic before anything happens."),
    recall_at_20: z.number().gt(0).max(1).describe("Online recall@20 of the champion."),
    latency_p95_seconds: z.number().positive().describe("p95 request latency of the champion, in seconds."),
    error_rate: Share.describe("Share of requests that fail."),
    cost_per_1k_requests_usd: z.number().positive().describe("Serving cost per 1000 requests of the champion, in USD."),
    cost_budget_ratio: z.number().positive().describe("Spend rate divided by the budget."),
    etl_backlog_seconds: z.number().min(0).describe("Ingestion backlog of the slowest ETL processor, in seconds."),
    user_satisfaction: z.number().min(0).max(5).describe("Survey score, 0 to 5."),
  })
  .describe("What the champion achieves before anything happens; the `:baseline` series report these levels.");

const Champion = z
  .strictObject({
    version: z
      .string({ error: 'must be a registered model version in quotes, such as "1"' })
      .regex(/^[1-9]\d*$/, { error: 'must be a registered model version number in quotes, such as "1"' })
      .describe("MLflow version of the model serving at start."),
    ntrees: z.int().positive().describe("Trees of the champion's H2O model."),
    max_depth: z.int().positive().describe("Maximum tree depth of the champion's H2O model."),
    algo: z.enum(["gbm", "drf", "xgboost", "glm"]).default("gbm").describe("H2O algorithm of the champion."),
  })
  .describe("The model serving at start; its complexity (ntrees * max_depth) is the reference for latency and cost.");

const Event = z.discriminatedUnion(
  "kind",
  [
    z
      .strictObject({
        at: At,
        kind: z.literal("corpus_shift"),
        topics: z.array(z.string().min(1)).min(1).describe("Topics whose documents changed."),
        quality_drop: z.number().gt(0).lt(1).describe("Relative NDCG@10 loss on those topics (recall loses half of it)."),
      })
      .describe("New documents the model has not learned: quality falls on some topics."),
    z
      .strictObject({ at: At, kind: z.literal("latency_shift"), factor: z.number().positive().describe("Multiplies p95 latency of every model.") })
      .describe("Infrastructure gets slower or faster."),
    z
      .strictObject({
        at: At,
        kind: z.literal("backlog_shift"),
        seconds: z.number().min(0).describe("The processor's backlog from then on, in seconds."),
        processor: z.enum(PROCESSORS).default("embed").describe("The ETL processor that falls behind."),
      })
      .describe("An ETL processor falls behind."),
    z
      .strictObject({ at: At, kind: z.literal("cost_shift"), ratio: z.number().positive().describe("The champion's cost budget ratio from then on; cost per 1k requests moves in proportion.") })
      .describe("Serving becomes more or less expensive."),
    z
      .strictObject({ at: At, kind: z.literal("satisfaction_shift"), value: z.number().min(0).max(5).describe("The survey score from then on.") })
      .describe("User satisfaction changes."),
    z
      .strictObject({ at: At, kind: z.literal("error_shift"), rate: Share.describe("The champion's error rate from then on.") })
      .describe("Requests start failing more or less often."),
  ],
  { error: "must have a kind among corpus_shift, latency_shift, backlog_shift, cost_shift, satisfaction_shift, error_shift" },
);

const Training = z
  .strictObject({
    min_augmented_rows_per_topic: z.int().min(1).describe("Rows with source=augmented a training frame needs on a shifted topic for the model to cover it."),
    recovery: Share.describe("Share of a corpus shift's drop a model recovers on the topics it covers."),
    gain: z.number().min(0).max(1).describe("Extra relative quality on covered topics."),
    fails: z.boolean().default(false).describe("Whether H2O training jobs fail."),
    latency_exponent: z.number().min(0).default(0.6).describe("Latency scales with (complexity / champion complexity) ^ exponent."),
    size_quality_exponent: z
      .number()
      .min(0)
      .default(0)
      .describe(
        "NDCG@10 of a model smaller than the champion scales with (complexity / champion complexity) ^ exponent (recall moves by half as much); 0 means a smaller model trained on the same data keeps the champion's quality. A larger model never gains from its size.",
      ),
  })
  .describe("What training on which data achieves.");

const Rollout = z
  .strictObject({
    hidden_latency_regression: z
      .strictObject({
        p95_seconds: z.number().positive().describe("The p95 latency the defective model shows once the defect appears."),
        min_traffic_percent: z.number().gt(0).max(100).describe("The defect appears only when the model serves at least this share of traffic..."),
        after_minutes: z.number().min(0).describe("...and has done so for this many minutes."),
      })
      .optional()
      .describe("A defect of the first model trained after start that a canary cannot reveal."),
  })
  .describe("Defects that only show in production.");

const Processors = z
  .partialRecord(z.enum(PROCESSORS), z.strictObject({ workers: z.int().positive().describe("Workers the processor runs with at start.") }))
  .default({ ...mapWorkers((p) => ({ workers: DEFAULT_WORKERS[p] })) })
  .transform((given) => mapWorkers((p) => ({ workers: given[p]?.workers ?? DEFAULT_WORKERS[p] })))
  .describe(
    "Workers of each ETL processor at start (default: embed 4, crawl 2, index 2; a processor left out keeps its default). A processor's backlog is its level times these workers / its current workers; GitOps values with the same `processors` map change the current workers.",
  );

function mapWorkers<T>(fn: (p: Processor) => T): Record<Processor, T> {
  return Object.fromEntries(PROCESSORS.map((p) => [p, fn(p)])) as Record<Processor, T>;
}

const Fault = z
  .strictObject({
    system: z.enum(["prometheus", "mlflow", "h2o", "argocd"]).describe("The system that misbehaves."),
    kind: z.enum(["down", "error", "garbage", "slow"]).describe("down: 503; error: 500 in the system's error format; garbage: 200 with a non-JSON body; slow: answers after delay_ms real milliseconds."),
    from: Duration.optional().describe("Start, counted from `start` (default: at once)."),
    until: Duration.optional().describe("End, counted from `start` (default: never)."),
    delay_ms: z.int().positive().optional().describe("Real milliseconds a slow system waits before answering (default 15000)."),
  })
  .describe("A system misbehaving for a while.");

const Alert = z
  .strictObject({
    at: At,
    labels: z
      .record(z.string(), z.string())
      .describe("Alert labels; alertname is required, signal names the trigger-contract signal, service the managed service."),
    annotations: z
      .record(z.string(), z.string())
      .default({})
      .describe("Alert annotations; value and baseline are filled from the world when absent."),
  })
  .describe("An alert Alertmanager sends to the autopilot's webhook.");

const Operator = z
  .strictObject({
    approval: z.enum(["approve", "reject", "ignore"]).describe("What the operator answers when asked for an approval."),
    reason: z.string().optional().describe("The reason the operator gives."),
  })
  .describe("How the simulated operator answers approval requests.");

const Expect = z
  .looseObject({ outcome: z.enum(["promoted", "rolled_back", "escalated", "no_action"]).describe("How the cycle should end.") })
  .describe("What the autopilot should achieve; scorers may read more fields.");

/** The zod schema of a scenario file. */
export const ScenarioSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, { error: "must be kebab-case (lowercase letters, digits and dashes)" })
      .describe("Identifier; equals the file name without .yaml."),
    title: z.string().min(1).describe("One line an operator reads in a report."),
    description: z.string().default("").describe("What happens in this world and why, in prose."),
    environment: EnvironmentSchema.describe("Environment the cycle runs in: dev, staging or production."),
    start: z.iso.datetime({ error: 'must be an ISO 8601 UTC time such as "2026-11-20T08:00:00Z"' }).describe("Simulated time at creation."),
    seed: z.int().optional().describe("Seed of the world's randomness (default: derived from the name)."),
    service: z.string().min(1).describe("The `service` label of every metric and alert."),
    app: z.string().min(1).describe("Argo CD application."),
    model: z.string().min(1).describe("MLflow registered model."),
    dataset: z.string().min(1).describe("DVC dataset name."),
    topics: z.array(z.string().min(1)).min(1).describe("Query topics; traffic spreads evenly over them."),
    traffic_rps: z.number().positive().describe("Requests per second."),
    baseline: Baseline,
    champion: Champion,
    processors: Processors,
    events: z.array(Event).default([]).describe("Timed changes of the world."),
    training: Training,
    rollout: Rollout.optional(),
    faults: z.array(Fault).default([]).describe("Systems misbehaving, by simulated time."),
    alerts: z.array(Alert).default([]).describe("What Alertmanager would send."),
    operator: Operator.default({ approval: "approve" }),
    expect: Expect,
  })
  .superRefine(crossCheck);

/** A validated scenario. */
export type Scenario = z.output<typeof ScenarioSchema>;
/** One timed event of a scenario. */
export type ScenarioEvent = Scenario["events"][number];
/** One fault of a scenario. */
export type ScenarioFault = Scenario["faults"][number];
/** One alert of a scenario. */
export type ScenarioAlert = Scenario["alerts"][number];

// Checks that need more than one field: topics named by events exist, times are in order, labels agree.
function crossCheck(s: z.output<z.ZodObject>, ctx: z.RefinementCtx): void {
  const scenario = s as unknown as Scenario;
  const topics = new Set(scenario.topics);
  if (topics.size !== scenario.topics.length) ctx.addIssue({ code: "custom", path: ["topics"], message: "must not repeat a topic" });
  scenario.events.forEach((event, i) => {
    if (event.kind !== "corpus_shift") return;
    event.topics.forEach((topic, j) => {
      if (!topics.has(topic)) ctx.addIssue({ code: "custom", path: ["events", i, "topics", j], message: `"${topic}" is not one of the scenario's topics (${scenario.topics.join(", ")})` });
    });
  });
  scenario.faults.forEach((fault, i) => {
    if (fault.from && fault.until && parseDuration(fault.until) <= parseDuration(fault.from)) {
      ctx.addIssue({ code: "custom", path: ["faults", i, "until"], message: "must be later than from" });
    }
  });
  scenario.alerts.forEach((alert, i) => {
    if (!alert.labels.alertname) ctx.addIssue({ code: "custom", path: ["alerts", i, "labels", "alertname"], message: "is required" });
    const signal = alert.labels.signal;
    if (signal !== undefined && !(SIGNALS as readonly string[]).includes(signal)) {
      ctx.addIssue({ code: "custom", path: ["alerts", i, "labels", "signal"], message: `"${signal}" is not a signal of the trigger contract (${SIGNALS.join(", ")})` });
    }
    const service = alert.labels.service;
    if (service !== undefined && service !== scenario.service) {
      ctx.addIssue({ code: "custom", path: ["alerts", i, "labels", "service"], message: `"${service}" differs from the scenario's service "${scenario.service}"` });
    }
  });
}

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
