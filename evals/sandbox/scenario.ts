import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { AGENT_IDS, AutopilotError, EnvironmentSchema, OUTCOMES, SIGNALS } from "../../core/index.js";
import { ALL_TOOLS } from "../../tools/index.js";
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
    status: z
      .enum(["firing", "resolved"])
      .optional()
      .describe("firing (the default) or resolved: Alertmanager's notice that an alert it sent before has stopped firing."),
    repeat: z
      .strictObject({
        times: z.int().min(2).describe("How many times the same notification is sent in all, the first at `at`."),
        every: Duration.describe("Time between two sends."),
      })
      .optional()
      .describe("Sends the same notification several times, as Alertmanager does when it repeats or a receiver retries (duplicates)."),
    unmanaged_service: z
      .boolean()
      .optional()
      .describe("The alert names a service other than the scenario's `service` on purpose (an alert the autopilot does not manage); without it such a label is refused as a typo."),
    labels: z
      .record(z.string(), z.string())
      .describe("Alert labels; alertname is required, signal names the trigger-contract signal, service the managed service."),
    annotations: z
      .record(z.string(), z.string())
      .default({})
      .describe("Alert annotations; value and baseline are filled from the world when absent."),
  })
  .describe("An alert Alertmanager sends to the autopilot's webhook.");

const Answer = z.enum(["approve", "reject", "ignore"]);

const Operator = z
  .strictObject({
    approval: Answer.describe("What the operator answers when asked for an approval: approve, reject, or ignore (never answers, so the request expires)."),
    reason: z.string().optional().describe("The reason the operator gives."),
    tools: z
      .record(
        z.string(),
        z.strictObject({ approval: Answer.describe("The answer for this tool."), reason: z.string().optional().describe("The reason given for this tool.") }),
      )
      .optional()
      .describe("Answers for requests about particular tools, by tool name; a tool left out gets `approval` and `reason`."),
  })
  .describe("How the simulated operator answers approval requests.");

// A flag with a setting is an object (`{ limit: 1 }`), its `enabled` true unless said otherwise.
const FlagWithSetting = <T extends z.ZodRawShape>(setting: T, what: string, example: string) =>
  z.strictObject(
    { enabled: z.boolean().default(true).describe(`Whether ${what} is on (default true).`), ...setting },
    { error: (issue) => (issue.code === "invalid_type" ? `must be an object such as ${example}` : undefined) },
  );

const Flags = z
  .strictObject({
    kill_switch: z.boolean().optional().describe("On: every change is refused; reads go on."),
    auto_promote: z.boolean().optional().describe("On: a candidate that wins its A/B test is promoted without asking an operator."),
    auto_rollback: z.boolean().optional().describe("On: a deploy that degrades is rolled back without asking."),
    manual_approval_required: z.boolean().optional().describe("On: every change waits for an operator's approval."),
    ab_testing: FlagWithSetting(
      { split_percent: z.number().min(0).max(100).optional().describe("Share of traffic the candidate gets in its A/B test, in percent.") },
      "A/B testing",
      "{ split_percent: 10 }",
    )
      .optional()
      .describe("A/B testing of a candidate before promotion."),
    cost_optimization: FlagWithSetting(
      { budget_usd_per_day: z.number().min(0).optional().describe("What the autopilot may spend per day, in USD; 0 means the budget is already exhausted.") },
      "the daily budget",
      "{ budget_usd_per_day: 0 }",
    )
      .optional()
      .describe("The daily spending budget of the autopilot's own work."),
    max_cycles_per_day: FlagWithSetting(
      { limit: z.int().min(0).optional().describe("Cycles that may make changes per day; 0 means the limit is already reached.") },
      "the cycle limit",
      "{ limit: 1 }",
    )
      .optional()
      .describe("The daily limit of cycles."),
    change_freeze: FlagWithSetting(
      {
        windows: z
          .array(
            z.strictObject({
              start: Duration.describe("When the freeze begins, counted from the scenario's `start`."),
              end: Duration.describe("When it ends, counted from `start`."),
              reason: z.string().optional().describe("Why changes are frozen."),
            }),
          )
          .optional()
          .describe("Freeze windows; changes are refused inside them."),
      },
      "the change freeze",
      '{ windows: [{ start: 0m, end: 2h, reason: "release" }] }',
    )
      .optional()
      .describe("Windows in which no change may be made."),
  })
  .optional()
  .describe(
    "Feature flags of the scenario's environment, set before the first alert. A flag left out keeps the environment's default (production: auto_promote on; staging: manual_approval_required on; everywhere: auto_rollback and ab_testing (20 %) on, cost_optimization on with 500 USD a day, max_cycles_per_day on with 20, kill_switch and change_freeze off).",
  );

const OperatorAction = z
  .strictObject({
    at: Duration.optional().describe("When the operator acts, counted from `start` (simulated time); give this or `after_tool`."),
    after_tool: z.string().optional().describe("The operator acts once the policy gate has decided the first call of this tool; give this or `at`."),
    action: z.enum(["kill_switch_on", "kill_switch_off"]).describe("What the operator does: turn the kill switch on or off."),
    reason: z.string().optional().describe("Why, as the operator would record it."),
  })
  .describe("Something the operator does during the run, at a time or right after a tool call (e.g. the kill switch turned on in the middle of a cycle).");

const Bounds = z
  .strictObject({ min: z.number().optional().describe("The lowest acceptable value."), max: z.number().optional().describe("The highest acceptable value.") })
  .refine((b) => b.min !== undefined || b.max !== undefined, { error: "must give min, max or both" })
  .refine((b) => b.min === undefined || b.max === undefined || b.min <= b.max, { error: "min must not exceed max" });

const ToolList = (what: string) => z.array(z.string().min(1)).optional().describe(what);

/** Who may run a destructive tool: `Agent:devops`, `Operator:alice`, `McpClient:ci`, or `Agent:*` for any agent. */
const PRINCIPAL_PATTERN = /^(Agent|Operator|McpClient):(\*|[A-Za-z0-9._@-]+)$/;

const Expect = z
  .strictObject({
    outcome: z
      .union([z.enum(OUTCOMES), z.array(z.enum(OUTCOMES)).min(1)], { error: `must be one of ${OUTCOMES.join(", ")}, or a list of them (one per cycle)` })
      .describe(
        "How the run ends: one outcome every cycle must end with (a run that starts no cycle counts as no_action), or a list with one outcome per cycle, oldest first.",
      ),
    cycles: z.int().min(0).optional().describe("How many cycles the alerts should start (duplicates and groupings start none of their own)."),
    agents: z
      .array(z.enum(AGENT_IDS))
      .optional()
      .describe("The agents that act, in order, over every cycle; an agent counts once for consecutive steps of its own (retries included)."),
    trajectory: z
      .strictObject({
        tools: z.array(z.string().min(1)).min(1).describe("Tool calls, in order; a tool listed twice is expected twice."),
        mode: z
          .enum(["strict", "unordered", "subset", "superset"])
          .default("strict")
          .describe(
            "strict: exactly these calls in this order; unordered: exactly these calls in any order; subset: no call beyond these; superset: at least these calls, others allowed.",
          ),
      })
      .optional()
      .describe("The tool calls the agents make over every cycle, whatever the gate decided (denied and refused calls count)."),
    tools_required: ToolList("Tools that must run at least once (the gate let them run, whatever they answered)."),
    tools_forbidden: ToolList("Tools that must never run; one that runs is a safety failure."),
    approval: z.enum(["requested", "not_requested"]).optional().describe("Whether an operator is asked for an approval during the run."),
    metrics: z
      .partialRecord(z.enum(["ndcg_at_10", "recall_at_20", "latency_p95_seconds", "error_rate", "cost_per_1k_requests_usd", "cost_budget_ratio", "etl_backlog_seconds", "user_satisfaction"]), Bounds)
      .optional()
      .describe("Bounds on the sandbox's metrics when the run ends (the `variant=\"all\"` series), e.g. { ndcg_at_10: { min: 0.7 } }."),
    max_tool_calls: z.int().min(0).optional().describe("The most tool calls the run may make over every cycle."),
    destructive_principals: z
      .array(z.string().regex(PRINCIPAL_PATTERN, { error: "must be Agent:<id>, Operator:<id>, McpClient:<id> or Agent:*" }))
      .optional()
      .describe("Who may run a destructive tool (a deploy, a rollback, a GitOps write, an alias change); anyone else running one is a safety failure. Default: any agent."),
    failing_system: z.enum(["prometheus", "mlflow", "h2o", "argocd"]).optional().describe("The system the report names as the cause of an escalation."),
    failing_tool: z.string().optional().describe("The tool the report names as the one that failed."),
    cause: z.string().optional().describe("Words the report's outcome_reason must contain."),
  })
  .describe("What the autopilot should achieve; the scorers read these fields.");

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
    http_timeout_ms: z
      .int()
      .min(100)
      .max(60_000)
      .optional()
      .describe("The autopilot's per-request HTTP timeout in this world (HTTP_TIMEOUT_MS; default the configured one): a world whose system is slow sets it under the fault's delay to stay short."),
    flags: Flags,
    timeline: z.array(OperatorAction).optional().describe("What the operator does during the run (default: nothing)."),
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
    if (alert.unmanaged_service && (service === undefined || service === scenario.service)) {
      ctx.addIssue({ code: "custom", path: ["alerts", i, "unmanaged_service"], message: `needs a service label other than the scenario's service "${scenario.service}"` });
    }
    if (!alert.unmanaged_service && service !== undefined && service !== scenario.service) {
      ctx.addIssue({ code: "custom", path: ["alerts", i, "labels", "service"], message: `"${service}" differs from the scenario's service "${scenario.service}" (set unmanaged_service: true if that is the point)` });
    }
  });
  checkRunFields(scenario, (path, message) => ctx.addIssue({ code: "custom", path, message }));
}

const TOOL_NAMES = new Set(ALL_TOOLS.map((t) => t.name));

// The fields the run and the scorers read: tool names exist (a misspelt forbidden tool would never fire), times are in order, counts agree.
function checkRunFields(scenario: Scenario, issue: (path: PropertyKey[], message: string) => void): void {
  const tool = (name: string, path: PropertyKey[]) => {
    if (!TOOL_NAMES.has(name)) issue(path, `"${name}" is not a tool of the platform (${[...TOOL_NAMES].sort().join(", ")})`);
  };
  const { flags, timeline, operator, expect } = scenario;
  flags?.change_freeze?.windows?.forEach((w, i) => {
    if (parseDuration(w.end) <= parseDuration(w.start)) issue(["flags", "change_freeze", "windows", i, "end"], "must be later than start");
  });
  timeline?.forEach((entry, i) => {
    if ((entry.at === undefined) === (entry.after_tool === undefined)) issue(["timeline", i], "must give exactly one of at and after_tool");
    if (entry.after_tool !== undefined) tool(entry.after_tool, ["timeline", i, "after_tool"]);
  });
  for (const name of Object.keys(operator.tools ?? {})) tool(name, ["operator", "tools", name]);
  expect.trajectory?.tools.forEach((name, i) => tool(name, ["expect", "trajectory", "tools", i]));
  expect.tools_required?.forEach((name, i) => tool(name, ["expect", "tools_required", i]));
  expect.tools_forbidden?.forEach((name, i) => {
    tool(name, ["expect", "tools_forbidden", i]);
    if (expect.tools_required?.includes(name)) issue(["expect", "tools_forbidden", i], `"${name}" is also in tools_required`);
  });
  if (expect.failing_tool !== undefined) tool(expect.failing_tool, ["expect", "failing_tool"]);
  if (Array.isArray(expect.outcome) && expect.cycles !== undefined && expect.cycles !== expect.outcome.length) {
    issue(["expect", "cycles"], `is ${expect.cycles} but outcome lists ${expect.outcome.length} cycles`);
  }
}

/** One feature flag a scenario sets before its run, in the flags repository's terms; metadata left out keeps the stored setting. */
export interface ScenarioFlagSetting {
  flag: string;
  enabled: boolean;
  metadata?: Record<string, unknown>;
}

/** The feature flags a scenario sets before its run, freeze windows turned into ISO instants; flags it leaves out are not listed. */
export function scenarioFlagSettings(scenario: Scenario): ScenarioFlagSetting[] {
  const flags = scenario.flags ?? {};
  const at = (duration: string) => new Date(Date.parse(scenario.start) + parseDuration(duration)).toISOString();
  const out: ScenarioFlagSetting[] = [];
  for (const flag of ["kill_switch", "auto_promote", "auto_rollback", "manual_approval_required"] as const) {
    const enabled = flags[flag];
    if (enabled !== undefined) out.push({ flag, enabled });
  }
  const withSetting = (flag: string, value: { enabled: boolean } | undefined, metadata: Record<string, unknown> | undefined) => {
    if (value) out.push({ flag, enabled: value.enabled, ...(metadata ? { metadata } : {}) });
  };
  const { ab_testing: ab, cost_optimization: cost, max_cycles_per_day: cycles, change_freeze: freeze } = flags;
  withSetting("ab_testing", ab, ab?.split_percent === undefined ? undefined : { split_percent: ab.split_percent });
  withSetting("cost_optimization", cost, cost?.budget_usd_per_day === undefined ? undefined : { budget_usd_per_day: cost.budget_usd_per_day });
  withSetting("max_cycles_per_day", cycles, cycles?.limit === undefined ? undefined : { limit: cycles.limit });
  withSetting("change_freeze", freeze, freeze?.windows && { windows: freeze.windows.map((w) => ({ start: at(w.start), end: at(w.end), ...(w.reason ? { reason: w.reason } : {}) })) });
  return out;
}

/** How the scenario's operator answers an approval request for `tool`. */
export function operatorAnswer(scenario: Scenario, tool: string): { approval: "approve" | "reject" | "ignore"; reason: string | null } {
  const answer = scenario.operator.tools?.[tool] ?? scenario.operator;
  return { approval: answer.approval, reason: answer.reason ?? null };
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
