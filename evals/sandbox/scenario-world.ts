import { z } from "zod";
import { DURATION_PATTERN } from "./duration.js";
import { DEFAULT_WORKERS, PROCESSORS, type Processor } from "./processors.js";

// The world half of the scenario format (scenario.ts has the whole): the service's baseline, timed
// events, what training achieves, rollouts, workers, faults and the alerts. Every field is described
// so the generated JSON Schema doubles as the operator's reference.

/** A duration such as "90s", "20m" or "1h30m". */
export const Duration = z
  .string({ error: 'must be a duration string such as "90s", "20m" or "2h"' })
  .regex(DURATION_PATTERN, { error: 'must be a duration such as "90s", "20m", "2h" or "1h30m"' });
const At = Duration.describe("When it happens, counted from `start`.");
const Share = z.number().min(0).max(1);

/** The service's quality and traffic before anything happens. */
export const Baseline = z
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

/** The model serving at the start. */
export const Champion = z
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

/** One timed event of the world. */
export const Event = z.discriminatedUnion(
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

/** What training on which data achieves. */
export const Training = z
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

/** How deploys and rollbacks behave. */
export const Rollout = z
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

/** Workers of the pipeline stages. */
export const Processors = z
  .partialRecord(z.enum(PROCESSORS), z.strictObject({ workers: z.int().positive().describe("Workers the processor runs with at start.") }))
  .default({ ...mapWorkers((p) => ({ workers: DEFAULT_WORKERS[p] })) })
  .transform((given) => mapWorkers((p) => ({ workers: given[p]?.workers ?? DEFAULT_WORKERS[p] })))
  .describe(
    "Workers of each ETL processor at start (default: embed 4, crawl 2, index 2; a processor left out keeps its default). A processor's backlog is its level times these workers / its current workers; GitOps values with the same `processors` map change the current workers.",
  );

function mapWorkers<T>(fn: (p: Processor) => T): Record<Processor, T> {
  return Object.fromEntries(PROCESSORS.map((p) => [p, fn(p)])) as Record<Processor, T>;
}

/** A fault injected into one system. */
export const Fault = z
  .strictObject({
    system: z.enum(["prometheus", "mlflow", "h2o", "argocd"]).describe("The system that misbehaves."),
    kind: z.enum(["down", "error", "garbage", "slow"]).describe("down: 503; error: 500 in the system's error format; garbage: 200 with a non-JSON body; slow: answers after delay_ms real milliseconds."),
    from: Duration.optional().describe("Start, counted from `start` (default: at once)."),
    until: Duration.optional().describe("End, counted from `start` (default: never)."),
    delay_ms: z.int().positive().optional().describe("Real milliseconds a slow system waits before answering (default 15000)."),
  })
  .describe("A system misbehaving for a while.");

/** An alert as Alertmanager sends it. */
export const Alert = z
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
