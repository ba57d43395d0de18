import { z } from "zod";
import { SIGNALS, CANDIDATE_STRATEGIES } from "./trigger-contract.js";

/**
 * Findings are the typed facts a tool establishes (a diagnosis, a dataset version, a gate result,
 * a deployment). The cycle graph records them from tool results, never from what a model says,
 * so decisions such as "the gate passed" or "the deploy degraded" cannot be talked into.
 */

/** The signal's current value against its baseline and threshold. */
export const MonitorFinding = z.object({
  signal: z.enum(SIGNALS),
  service: z.string(),
  metric: z.string(),
  value: z.number(),
  baseline: z.number().nullable(),
  threshold: z.number(),
  triggered: z.boolean(),
  at: z.string(),
});

/** Segments (e.g. topics) where the signal is weakest. */
export const DiagnosisFinding = z.object({
  signal: z.enum(SIGNALS),
  metric: z.string(),
  by: z.string(),
  segments: z.array(
    z.object({ label: z.string(), value: z.number(), baseline: z.number().nullable(), relative_change: z.number().nullable(), weak: z.boolean() }),
  ),
  weak_segments: z.array(z.string()),
  at: z.string(),
});

/** A dataset version written to the DVC workspace. */
export const DatasetFinding = z.object({
  name: z.string(),
  /** Directory of the dataset, relative to the DVC workspace root. */
  path: z.string(),
  /** Absolute path of the directory (what H2O imports). */
  abs_path: z.string(),
  md5: z.string(),
  size: z.number(),
  nfiles: z.number(),
  dvc_file: z.string(),
  base_md5: z.string().nullable(),
  rows: z.number(),
  examples_added: z.number(),
  topics: z.array(z.string()),
});

/** A candidate model registered in the model registry. */
export const CandidateFinding = z.object({
  model_name: z.string(),
  version: z.string(),
  run_id: z.string(),
  /** The H2O model a serving-model candidate was exported from; null for an anomaly detector. */
  h2o_model_id: z.string().nullable(),
  strategy: z.enum(CANDIDATE_STRATEGIES),
  dataset_md5: z.string().nullable(),
  source: z.string(),
});

/** One check of a quality gate. */
export const GateCheck = z.object({
  rule: z.string(),
  metric: z.string(),
  candidate: z.number().nullable(),
  reference: z.number().nullable(),
  threshold: z.number().nullable(),
  passed: z.boolean(),
  detail: z.string(),
});

/** The quality gate verdict on a candidate. */
export const EvaluationFinding = z.object({
  passed: z.boolean(),
  needs_approval: z.boolean(),
  checks: z.array(GateCheck),
  candidate: z.object({ version: z.string(), metrics: z.record(z.string(), z.number()) }),
  champion: z.object({ version: z.string().nullable(), metrics: z.record(z.string(), z.number()) }),
  /** For a configuration change (no new model), the exact change the gate approved. */
  proposal: z.record(z.string(), z.unknown()).optional(),
});

/** An Argo CD sync that put a model in front of traffic (a canary or a full rollout). */
export const DeploymentFinding = z.object({
  app: z.string(),
  revision: z.string(),
  history_id: z.number().nullable(),
  previous_history_id: z.number().nullable(),
  model_version: z.string(),
  previous_model_version: z.string().nullable(),
  canary_weight: z.number(),
  health: z.string(),
  sync: z.string(),
  deployed_at: z.string(),
});

/** An A/B comparison of champion and candidate over the same window. */
export const AbTestFinding = z.object({
  traffic_percent: z.number(),
  window: z.object({ start: z.string(), end: z.string() }),
  metrics: z.array(z.object({ metric: z.string(), champion: z.number().nullable(), candidate: z.number().nullable(), better: z.enum(["champion", "candidate", "equal", "unknown"]) })),
  winner: z.enum(["candidate", "champion", "inconclusive"]),
  passed: z.boolean(),
});

/** What post-deploy monitoring saw. */
export const WatchFinding = z.object({
  window: z.object({ start: z.string(), end: z.string() }),
  degraded: z.boolean(),
  breaches: z.array(z.object({ metric: z.string(), rule: z.string(), value: z.number(), threshold: z.number(), at: z.string() })),
  final: z.record(z.string(), z.number()),
});

/** A rollback through Argo CD history. */
export const RollbackFinding = z.object({
  app: z.string(),
  to_history_id: z.number(),
  revision: z.string(),
  model_version: z.string().nullable(),
  health: z.string(),
  at: z.string(),
});

/** A commit to the GitOps repository: a write of new values, or a restore of an earlier revision's. */
export const GitChangeFinding = z.object({
  app: z.string(),
  environment: z.string(),
  /** The head after the change (the commit, or the unchanged head when nothing was committed). */
  revision: z.string(),
  /** The head before the change. */
  previous_revision: z.string().nullable(),
  changed: z.boolean(),
  /** The revision whose values were restored; null for a write. */
  restored_from: z.string().nullable(),
});

/** A version whose deploy held, recorded as a stable rollback target and maybe the new gold. */
export const BaselineFinding = z.object({
  model_name: z.string(),
  version: z.string(),
  stable: z.boolean(),
  metric: z.string(),
  value: z.number().nullable(),
  best_before: z.object({ version: z.string(), value: z.number() }).nullable(),
  gold: z.boolean(),
  previous_gold: z.string().nullable(),
});

/** What the anomaly detector found in one series over a window. */
export const AnomaliesFinding = z.object({
  /** The series' name: `<service>:<signal>` for a contract signal, or the name the caller gave a query. */
  series: z.string(),
  query: z.string(),
  /** The registered detector that scored it, or an ad-hoc one trained on the window's first part. */
  model: z.object({ name: z.string().nullable(), version: z.string().nullable(), source: z.enum(["registered", "ad_hoc"]) }),
  window: z.object({ start: z.string(), end: z.string(), step_seconds: z.number() }),
  points: z.number(),
  threshold: z.number(),
  max_score: z.number(),
  flagged: z.array(z.object({ at: z.string(), value: z.number(), score: z.number() })),
  /** Runs of consecutive flagged points. */
  events: z.array(z.object({ start: z.string(), end: z.string(), points: z.number(), peak_score: z.number() })),
  /** Population stability index of the window's features against the detector's training profile. */
  psi: z.number().nullable(),
  drift: z.boolean(),
  at: z.string(),
});

/** Every finding schema by kind. */
export const FINDING_SCHEMAS = {
  monitor: MonitorFinding,
  diagnosis: DiagnosisFinding,
  dataset: DatasetFinding,
  candidate: CandidateFinding,
  evaluation: EvaluationFinding,
  deployment: DeploymentFinding,
  ab_test: AbTestFinding,
  watch: WatchFinding,
  rollback: RollbackFinding,
  baseline: BaselineFinding,
  git_change: GitChangeFinding,
  anomalies: AnomaliesFinding,
} as const;

/** A kind of finding. */
export type FindingKind = keyof typeof FINDING_SCHEMAS;
/** The data of a finding of kind K. */
export type FindingData<K extends FindingKind> = z.infer<(typeof FINDING_SCHEMAS)[K]>;

export type MonitorFinding = z.infer<typeof MonitorFinding>;
export type DiagnosisFinding = z.infer<typeof DiagnosisFinding>;
export type DatasetFinding = z.infer<typeof DatasetFinding>;
export type CandidateFinding = z.infer<typeof CandidateFinding>;
export type EvaluationFinding = z.infer<typeof EvaluationFinding>;
export type DeploymentFinding = z.infer<typeof DeploymentFinding>;
export type AbTestFinding = z.infer<typeof AbTestFinding>;
export type WatchFinding = z.infer<typeof WatchFinding>;
export type RollbackFinding = z.infer<typeof RollbackFinding>;
export type BaselineFinding = z.infer<typeof BaselineFinding>;
export type GitChangeFinding = z.infer<typeof GitChangeFinding>;
export type AnomaliesFinding = z.infer<typeof AnomaliesFinding>;
export type GateCheck = z.infer<typeof GateCheck>;
