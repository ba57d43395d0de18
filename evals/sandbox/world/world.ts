import type { Clock } from "../../../core/index.js";
import { parseDuration } from "../duration.js";
import { BASELINE_BACKLOG_SHARE, PROCESSORS, type ProcessorWorkers } from "../processors.js";
import { hash32 } from "../random.js";
import type { Scenario, ScenarioEvent } from "../scenario.js";

/** A model the world knows: the champion seeded at start, or one trained through the H2O API. */
export interface WorldModel {
  /** Unique id in the world: the H2O key, suffixed when a key is reused for a new model. */
  id: string;
  /** H2O model key. */
  key: string;
  algo: string;
  ntrees: number;
  maxDepth: number;
  /** ntrees * max_depth (glm counts as 10). */
  complexity: number;
  /** Topics the training frame had enough augmented rows on. */
  covered: string[];
  /** Rows with source=augmented per topic in the training frame. */
  augmentedRows: Record<string, number>;
  /** Simulated ms when training finished. */
  trainedAt: number;
  /** Whether this model carries the scenario's hidden latency regression. */
  hiddenRegression: boolean;
  trainingFrame: string | null;
}

/** One deployed model: its registry version and the world model behind it. */
export interface ServingSlot {
  version: string;
  modelId: string;
}

/** What serves traffic: the champion and, during an A/B test, a canary with a share in percent. */
export interface ServingState {
  champion: ServingSlot;
  canary: ServingSlot | null;
  /** Percent of traffic the canary serves (0-100). */
  canaryWeight: number;
}

/** A role that serves traffic and the share it serves. */
export interface ServingVariant {
  variant: "champion" | "candidate";
  slot: ServingSlot;
  model: WorldModel;
  /** Share of traffic, 0-1. */
  share: number;
}

/** A state change of the world, for the control API and reports. */
export interface TimelineEntry {
  at: string;
  kind: "event" | "fault" | "model" | "deployment";
  summary: string;
}

/** How far back the world has a history (counters start here, so rates exist from the first minute). */
export const HISTORY_MS = 7 * 86_400_000;

/**
 * The simulated search platform: which models exist, which serve, and what the scenario's events
 * do to them. Every quantity is a function of simulated time, computed from the state in force at
 * that time, so queries over the past see the past.
 */
export class World {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly startMs: number;
  /** Where history begins. */
  readonly epochMs: number;
  readonly champion: WorldModel;
  private readonly clock: Clock;
  private readonly byId = new Map<string, WorldModel>();
  private readonly byKey = new Map<string, WorldModel>();
  private readonly serving: { at: number; state: ServingState; workers: ProcessorWorkers; reason: string }[] = [];
  private readonly events: { at: number; event: ScenarioEvent }[];
  private readonly modelLog: TimelineEntry[] = [];
  private trained = 0;

  constructor(scenario: Scenario, clock: Clock) {
    this.scenario = scenario;
    this.clock = clock;
    this.seed = scenario.seed ?? hash32(scenario.name);
    this.startMs = Date.parse(scenario.start);
    this.epochMs = this.startMs - HISTORY_MS;
    this.events = scenario.events
      .map((event) => ({ at: this.startMs + parseDuration(event.at), event }))
      .sort((a, b) => a.at - b.at);
    const { ntrees, max_depth, algo, version } = scenario.champion;
    const championKey = `${scenario.model}-v${version}`;
    this.champion = {
      id: championKey,
      key: championKey,
      algo,
      ntrees,
      maxDepth: max_depth,
      complexity: complexityOf(algo, ntrees, max_depth),
      covered: [],
      augmentedRows: {},
      trainedAt: this.epochMs,
      hiddenRegression: false,
      trainingFrame: null,
    };
    this.byId.set(this.champion.id, this.champion);
    this.byKey.set(championKey, this.champion);
    const workers = Object.fromEntries(PROCESSORS.map((p) => [p, scenario.processors[p].workers])) as ProcessorWorkers;
    this.serving.push({ at: this.epochMs, state: { champion: { version, modelId: this.champion.id }, canary: null, canaryWeight: 0 }, workers, reason: "initial" });
  }

  /** The simulated now, in ms. */
  now(): number {
    return this.clock.now().getTime();
  }

  /** Registers a model H2O finished training; the first one carries the hidden regression, if any. */
  addTrainedModel(init: Omit<WorldModel, "id" | "complexity" | "covered" | "trainedAt" | "hiddenRegression">): WorldModel {
    const min = this.scenario.training.min_augmented_rows_per_topic;
    const covered = this.scenario.topics.filter((topic) => (init.augmentedRows[topic] ?? 0) >= min);
    this.trained += 1;
    const model: WorldModel = {
      ...init,
      id: this.byId.has(init.key) ? `${init.key}#${this.trained}` : init.key,
      complexity: complexityOf(init.algo, init.ntrees, init.maxDepth),
      covered,
      trainedAt: this.now(),
      hiddenRegression: this.trained === 1 && this.scenario.rollout?.hidden_latency_regression !== undefined,
    };
    this.byId.set(model.id, model);
    this.byKey.set(model.key, model);
    this.modelLog.push({
      at: new Date(model.trainedAt).toISOString(),
      kind: "model",
      summary: `model ${model.id} trained (${model.algo}, ${model.ntrees} trees, depth ${model.maxDepth}; covers ${covered.join(", ") || "no topic"})`,
    });
    return model;
  }

  /** A model by world id. */
  model(id: string): WorldModel | undefined {
    return this.byId.get(id);
  }

  /** The latest model trained under an H2O key (it outlives H2O deleting the key). */
  modelForKey(key: string): WorldModel | undefined {
    return this.byKey.get(key);
  }

  /** Every model, oldest first. */
  models(): WorldModel[] {
    return [...this.byId.values()];
  }

  /** Puts a serving state and the ETL workers named in `workers` in force from now on (Argo CD applied GitOps values); other processors keep theirs. */
  deploy(state: ServingState, reason: string, workers: Partial<ProcessorWorkers> = {}): void {
    const now = this.now();
    this.serving.push({ at: now, state, workers: { ...this.workersAt(now), ...workers }, reason });
  }

  /** The serving state in force at `t`. */
  servingAt(t: number): ServingState {
    return this.entryAt(t).state;
  }

  /** Workers of each ETL processor at `t`. */
  workersAt(t: number): ProcessorWorkers {
    return { ...this.entryAt(t).workers };
  }

  /** Times at which the serving state changed, oldest first. */
  deploymentTimes(): number[] {
    return this.serving.slice(1).map((entry) => entry.at);
  }

  /** The roles serving at `t` with their models and shares. */
  variantsAt(t: number): ServingVariant[] {
    const state = this.servingAt(t);
    const champion = this.byId.get(state.champion.modelId) ?? this.champion;
    if (!state.canary) return [{ variant: "champion", slot: state.champion, model: champion, share: 1 }];
    const weight = Math.min(100, Math.max(0, state.canaryWeight)) / 100;
    return [
      { variant: "champion", slot: state.champion, model: champion, share: 1 - weight },
      { variant: "candidate", slot: state.canary, model: this.byId.get(state.canary.modelId) ?? champion, share: weight },
    ];
  }

  /** Times at which any event starts, oldest first. */
  eventTimes(): number[] {
    return this.events.map((e) => e.at);
  }

  /** The relative NDCG drop on `topic` from corpus shifts in force at `t`. */
  topicDrop(topic: string, t: number): number {
    let kept = 1;
    for (const { at, event } of this.events) if (at <= t && event.kind === "corpus_shift" && event.topics.includes(topic)) kept *= 1 - event.quality_drop;
    return 1 - kept;
  }

  /** Online NDCG@10 of `model` on `topic` at `t`, before noise. */
  topicNdcg(model: WorldModel, topic: string, t: number): number {
    return Math.min(0.99, this.scenario.baseline.ndcg_at_10 * this.qualityFactor(model, topic, t, 1));
  }

  /** Online recall@20 of `model` on `topic` at `t`: it moves like NDCG by half the drop and half the gain. */
  topicRecall(model: WorldModel, topic: string, t: number): number {
    return Math.min(0.99, this.scenario.baseline.recall_at_20 * this.qualityFactor(model, topic, t, 0.5));
  }

  /** p95 latency of `model` at `t`: complexity, latency shifts and, when it applies, the hidden regression. */
  latencyP95(model: WorldModel, t: number): number {
    const { baseline, training } = this.scenario;
    let factor = 1;
    for (const { at, event } of this.events) if (at <= t && event.kind === "latency_shift") factor *= event.factor;
    const p95 = baseline.latency_p95_seconds * factor * this.complexityRatio(model) ** training.latency_exponent;
    const regression = this.scenario.rollout?.hidden_latency_regression;
    return regression && this.regressionActive(model, t) ? Math.max(p95, regression.p95_seconds) : p95;
  }

  /** Share of failing requests of `model` at `t`; heavier models time out a little more. */
  errorRate(model: WorldModel, t: number): number {
    const level = this.lastEventValue("error_shift", t) ?? this.scenario.baseline.error_rate;
    return Math.min(1, level * this.complexityRatio(model) ** 0.3);
  }

  /** Serving cost per 1000 requests of `model` at `t`, in USD; it grows with complexity. */
  costPer1k(model: WorldModel, t: number): number {
    const { baseline } = this.scenario;
    const ratio = this.lastEventValue("cost_shift", t) ?? baseline.cost_budget_ratio;
    return baseline.cost_per_1k_requests_usd * (ratio / baseline.cost_budget_ratio) * this.complexityRatio(model) ** 0.8;
  }

  /** The survey score at `t`. */
  satisfaction(t: number): number {
    return this.lastEventValue("satisfaction_shift", t) ?? this.scenario.baseline.user_satisfaction;
  }

  /**
   * Backlog of each ETL processor at `t`, in seconds: its level (its share of the baseline, or the
   * last backlog shift) times initial workers / current workers, so doubling the workers halves it.
   */
  backlog(t: number): ProcessorWorkers {
    const base = this.scenario.baseline.etl_backlog_seconds;
    const level = { ...BASELINE_BACKLOG_SHARE };
    for (const p of PROCESSORS) level[p] *= base;
    for (const { at, event } of this.events) if (at <= t && event.kind === "backlog_shift") level[event.processor] = event.seconds;
    const workers = this.workersAt(t);
    for (const p of PROCESSORS) level[p] *= this.scenario.processors[p].workers / workers[p];
    return level;
  }

  /** Whether the hidden regression shows for `model` at `t`: it has served enough traffic for long enough. */
  regressionActive(model: WorldModel, t: number): boolean {
    const regression = this.scenario.rollout?.hidden_latency_regression;
    if (!regression || !model.hiddenRegression) return false;
    let since: number | null = null;
    for (const entry of this.serving) {
      if (entry.at > t) break;
      const share = shareOf(model.id, entry.state);
      if (share * 100 >= regression.min_traffic_percent) since ??= entry.at;
      else since = null;
    }
    return since !== null && t - since >= regression.after_minutes * 60_000;
  }

  /** Model/complexity changes, deployments, events and faults up to now, oldest first. */
  timeline(): TimelineEntry[] {
    const now = this.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const entries: TimelineEntry[] = [...this.modelLog];
    for (const { at, event } of this.events) if (at <= now) entries.push({ at: iso(at), kind: "event", summary: describeEvent(event) });
    this.serving.slice(1).forEach((entry, i) => {
      const scaled = describeWorkers(this.serving[i]!.workers, entry.workers);
      entries.push({ at: iso(entry.at), kind: "deployment", summary: `${entry.reason}: ${describeServing(entry.state)}${scaled ? `; ${scaled}` : ""}` });
    });
    for (const fault of this.scenario.faults) {
      const from = this.startMs + parseDuration(fault.from ?? "0s");
      if (from <= now) entries.push({ at: iso(from), kind: "fault", summary: `${fault.system} ${fault.kind} begins` });
      const until = fault.until ? this.startMs + parseDuration(fault.until) : null;
      if (until !== null && until <= now) entries.push({ at: iso(until), kind: "fault", summary: `${fault.system} ${fault.kind} ends` });
    }
    return entries.sort((a, b) => a.at.localeCompare(b.at));
  }

  // Quality relative to the baseline: the corpus drop (recovered where covered, plus the gain), times the size loss of a smaller model.
  private qualityFactor(model: WorldModel, topic: string, t: number, scale: number): number {
    const { recovery, gain, size_quality_exponent } = this.scenario.training;
    const sizeLoss = (1 - Math.min(1, this.complexityRatio(model)) ** size_quality_exponent) * scale;
    const drop = this.topicDrop(topic, t) * scale;
    const corpus = model.covered.includes(topic) ? (1 - drop * (1 - recovery)) * (1 + gain * scale) : 1 - drop;
    return corpus * (1 - sizeLoss);
  }

  private entryAt(t: number) {
    let found = this.serving[0]!;
    for (const entry of this.serving) if (entry.at <= t) found = entry;
    return found;
  }

  private complexityRatio(model: WorldModel): number {
    return model.complexity / this.champion.complexity;
  }

  private lastEventValue(kind: "error_shift" | "cost_shift" | "satisfaction_shift", t: number): number | undefined {
    let value: number | undefined;
    for (const { at, event } of this.events) {
      if (at > t || event.kind !== kind) continue;
      value = event.kind === "error_shift" ? event.rate : event.kind === "cost_shift" ? event.ratio : event.kind === "satisfaction_shift" ? event.value : value;
    }
    return value;
  }
}

/** Complexity of a model: trees times depth; a linear model counts as 10. */
export function complexityOf(algo: string, ntrees: number, maxDepth: number): number {
  return algo === "glm" ? 10 : Math.max(1, ntrees * maxDepth);
}

/** A one-line description of a serving state. */
export function describeServing(state: ServingState): string {
  const champion = `champion v${state.champion.version} (${state.champion.modelId})`;
  return state.canary ? `${champion}, canary v${state.canary.version} (${state.canary.modelId}) at ${state.canaryWeight}%` : champion;
}

// "ETL workers embed 4 -> 8", or "" when no processor changed.
function describeWorkers(before: ProcessorWorkers, after: ProcessorWorkers): string {
  const changed = PROCESSORS.filter((p) => before[p] !== after[p]).map((p) => `${p} ${before[p]} -> ${after[p]}`);
  return changed.length ? `ETL workers ${changed.join(", ")}` : "";
}

function shareOf(modelId: string, state: ServingState): number {
  const weight = state.canary ? Math.min(100, Math.max(0, state.canaryWeight)) / 100 : 0;
  return (state.champion.modelId === modelId ? 1 - weight : 0) + (state.canary?.modelId === modelId ? weight : 0);
}

function describeEvent(event: ScenarioEvent): string {
  switch (event.kind) {
    case "corpus_shift":
      return `corpus shift on ${event.topics.join(", ")}: NDCG@10 -${Math.round(event.quality_drop * 100)}% there`;
    case "latency_shift":
      return `latency x${event.factor}`;
    case "backlog_shift":
      return `ETL processor ${event.processor} backlog ${event.seconds}s`;
    case "cost_shift":
      return `cost budget ratio ${event.ratio}`;
    case "satisfaction_shift":
      return `user satisfaction ${event.value}`;
    case "error_shift":
      return `error rate ${event.rate}`;
  }
}
