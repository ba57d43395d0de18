import { z } from "zod";
import { AGENT_IDS, EnvironmentSchema, OUTCOMES, SIGNALS } from "../../core/index.js";
import { ALL_TOOLS } from "../../tools/index.js";
import { parseDuration } from "./duration.js";
import { Alert, Baseline, Champion, Duration, Event, Fault, Processors, Rollout, Training } from "./scenario-world.js";

/**
 * The scenario format: one YAML file describes a simulated world (its service, baseline quality,
 * timed events, what training achieves, faults) and what the autopilot should end up doing. Every
 * field carries a description so the generated JSON Schema doubles as the operator's reference.
 */

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
