import { z } from "zod";
import { AutopilotError, type AnomaliesFinding, type Signal } from "../../core/index.js";
import type { ServedDetector } from "../mlflow/served-detectors.js";
import { AnomalyDetector, extractFeatures, populationStabilityIndex, trainAnomalyModel, type AnomalyModel, type Detection } from "../anomaly/index.js";
import { defineTool, type ToolContext, type ToolOutcome } from "../tool.js";
import { errorOutcome } from "../outcome.js";
import { fmt, PROMETHEUS_FLAGS, serviceField, signalContract, signalField, signalSelector } from "./tool-support.js";

/** PSI at or above this is a significant shift of the inputs (the usual reading: < 0.1 none, 0.1-0.25 moderate). */
export const DRIFT_PSI = 0.25;
/** An ad-hoc detector (no registered one) trains on this first share of the window and scores the whole of it. */
export const AD_HOC_TRAIN_FRACTION = 0.5;
/** Fewest finite points a window must hold to be scored (an ad-hoc detector trains on half of them). */
export const MIN_POINTS = 60;
const MAX_FLAGGED_SHOWN = 50;
const MAX_POINTS = 11_000;

const input = z
  .object({
    signal: signalField.optional(),
    service: serviceField.optional(),
    query: z.string().min(1).max(2000).optional().describe("PromQL expression returning exactly one series; instead of signal and service"),
    series: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]+$/)
      .max(128)
      .optional()
      .describe("Name of the series whose registered detector scores the query (default for signal+service: <service>:<signal>)"),
    minutes: z.int().min(10).max(10_080).default(360).describe("Window length in minutes, ending now (max 7 days)"),
    step_seconds: z.int().min(1).max(3_600).default(60).describe("Resolution step in seconds"),
  })
  .refine((i) => Boolean(i.query) !== Boolean(i.signal && i.service), "give either signal and service, or query");

/** Scores a window of one series with the series' serving detector (or an ad-hoc one) in ONNX Runtime. */
export const detectAnomaliesTool = defineTool({
  name: "prometheus_detect_anomalies",
  system: "prometheus",
  title: "Detect anomalies in a series",
  description:
    "Fetches a window of one series from Prometheus (a contract signal of a service, or any PromQL returning one series) and scores every point with the anomaly detector " +
    "(an Isolation Forest in ONNX Runtime). Uses the series' registered detector (MLflow alias champion) when there is one; otherwise trains an ad-hoc detector on the " +
    `first ${AD_HOC_TRAIN_FRACTION * 100}% of the window. Returns the flagged points, runs of them (events), the scores' maximum and the population stability index (PSI) of ` +
    `the window against the detector's training data (drift when PSI >= ${DRIFT_PSI}).`,
  input,
  flags: PROMETHEUS_FLAGS,
  finding: "anomalies",
  timeoutMs: 120_000,
  run: (args, ctx) => detectInWindow(ctx, args),
});

/** What a window to score is: one series, named for its registered detector when it has one. */
export interface WindowRequest {
  signal?: Signal;
  service?: string;
  query?: string;
  series?: string;
  minutes: number;
  step_seconds: number;
}

/**
 * Fetches a window of one series and scores it (the tool's work, shared with the drift check). A
 * registered detector reads the series at the resolution it was trained at, whatever step was asked:
 * its features (deltas, rolling windows) only mean what they meant in training at that step.
 */
export async function detectInWindow(ctx: ToolContext, args: WindowRequest): Promise<ToolOutcome<AnomaliesFinding>> {
  const query = args.query ?? signalSelector(signalContract(ctx, args.signal!), args.service!);
  const series = args.series ?? (args.signal ? `${args.service}:${args.signal}` : null);
  const end = ctx.clock.now();
  const start = new Date(end.getTime() - args.minutes * 60_000);
  const window = async (step: number, scorer: (values: number[]) => Promise<Scored>): Promise<ToolOutcome<AnomaliesFinding>> => {
    const points = Math.floor((args.minutes * 60) / step) + 1;
    if (points > MAX_POINTS) return invalid(`${args.minutes} minutes at ${step} s steps is ${points} points; at most ${MAX_POINTS}: raise step_seconds`);
    const samples = await fetchSeries(ctx, query, start, end, step);
    if (typeof samples === "string") return samples.startsWith("no_data:") ? { status: "no_data", summary: samples.slice(8) } : invalid(samples);
    if (samples.length < MIN_POINTS) return { status: "no_data", summary: `${query} has ${samples.length} finite points in the window at ${step} s steps; at least ${MIN_POINTS} are needed to score it` };
    const scored = await scorer(samples.map((s) => s.value));
    const finding = describe({ query, series: series ?? query, samples, scored, window: { start, end, step }, at: end });
    return { status: "success", summary: summarize(finding), data: finding };
  };
  try {
    const registered = series
      ? await useRegistered(ctx, series, async (served) =>
          served
            ? window(served.stepSeconds ?? args.step_seconds, async (values) => ({
                detection: await served.detector.detect(values),
                model: served.detector.model,
                name: served.name,
                version: served.version,
                psi: drift(served.detector.model, values),
              }))
            : null,
        )
      : null;
    if (registered && "unavailable" in registered) {
      // The registry is down: the series is still scored, and the summary says by what.
      const outcome = await window(args.step_seconds, adHoc);
      return outcome.status === "success" ? { ...outcome, summary: `${outcome.summary}; ${registered.unavailable}` } : outcome;
    }
    return registered ?? (await window(args.step_seconds, adHoc));
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    return errorOutcome(error);
  }
}

/** Runs `fn` with the series' serving detector; a registry that does not answer is reported instead of thrown. */
async function useRegistered<T>(ctx: ToolContext, series: string, fn: (served: ServedDetector | null) => Promise<T>): Promise<T | { unavailable: string }> {
  try {
    return await ctx.clients.detectors.use(series, fn, ctx.signal);
  } catch (error) {
    if (error instanceof AutopilotError && error.code === "detector_registry_unavailable") return { unavailable: `${error.message}; scored by an ad-hoc detector instead` };
    throw error;
  }
}

/**
 * The finite samples of the one series `query` returns; a string says why there are none
 * ("no_data: ...") or why the query does not fit (several series).
 */
export async function fetchSeries(ctx: ToolContext, query: string, start: Date, end: Date, stepSeconds: number): Promise<Array<{ timestamp: number; value: number }> | string> {
  const result = await ctx.clients.prometheus.queryRange(query, { start, end, stepSeconds, signal: ctx.signal });
  if (result.length === 0) return `no_data: no series for ${query} from ${start.toISOString()} to ${end.toISOString()}`;
  if (result.length > 1) return `${query} returned ${result.length} series; narrow it to one (add label matchers or aggregate)`;
  // Prometheus answers NaN for a ratio over no traffic; such points have no score.
  return result[0]!.values.filter((s) => Number.isFinite(s.value));
}

interface Scored {
  detection: Detection;
  model: AnomalyModel;
  name: string | null;
  version: string | null;
  psi: number;
}

/** Trains an ad-hoc detector on the window's first part and scores the whole window. */
async function adHoc(values: number[]): Promise<Scored> {
  const cut = Math.floor(values.length * AD_HOC_TRAIN_FRACTION);
  const model = trainAnomalyModel(values.slice(0, cut));
  const detector = await AnomalyDetector.load(model);
  try {
    return { detection: await detector.detect(values), model, name: null, version: null, psi: drift(model, values.slice(cut)) };
  } finally {
    await detector.close();
  }
}

function drift(model: AnomalyModel, values: number[]): number {
  return populationStabilityIndex(model.profile, extractFeatures(values, model.features).rows).psi;
}

function describe(input: {
  query: string;
  series: string;
  samples: { timestamp: number; value: number }[];
  scored: Scored;
  window: { start: Date; end: Date; step: number };
  at: Date;
}): AnomaliesFinding {
  const { samples, scored } = input;
  const { scores, flagged, threshold } = scored.detection;
  const iso = (i: number) => new Date(samples[i]!.timestamp * 1000).toISOString();
  const events: AnomaliesFinding["events"] = [];
  flagged.forEach((i, k) => {
    const last = events.at(-1);
    if (last && flagged[k - 1] === i - 1) {
      last.end = iso(i);
      last.points++;
      last.peak_score = Math.max(last.peak_score, scores[i]!);
    } else {
      events.push({ start: iso(i), end: iso(i), points: 1, peak_score: scores[i]! });
    }
  });
  // The highest-scoring points first, when there are more than the output holds.
  const shown = [...flagged].sort((a, b) => scores[b]! - scores[a]!).slice(0, MAX_FLAGGED_SHOWN).sort((a, b) => a - b);
  return {
    series: input.series,
    query: input.query,
    model: { name: scored.name, version: scored.version, source: scored.name ? "registered" : "ad_hoc" },
    window: { start: input.window.start.toISOString(), end: input.window.end.toISOString(), step_seconds: input.window.step },
    points: samples.length,
    threshold,
    max_score: Math.max(...scores),
    flagged: shown.map((i) => ({ at: iso(i), value: samples[i]!.value, score: scores[i]! })),
    events,
    psi: Number.isFinite(scored.psi) ? scored.psi : null,
    drift: scored.psi >= DRIFT_PSI,
    at: input.at.toISOString(),
  };
}

function summarize(f: AnomaliesFinding): string {
  const model = f.model.source === "registered" ? `${f.model.name} v${f.model.version}` : "an ad-hoc detector trained on the window's first half";
  const found = f.events.length === 0
    ? `no anomalies in ${f.points} points`
    : `${f.events.length} anomalous event(s), ${f.flagged.length} point(s) shown, first at ${f.events[0]!.start}, peak score ${fmt(Math.max(...f.events.map((e) => e.peak_score)))}`;
  const psi = f.psi === null ? "" : `; input drift PSI ${fmt(f.psi)}${f.drift ? " (drifted: retrain)" : ""}`;
  return `${f.series}: ${found} (threshold ${fmt(f.threshold)}, scored by ${model})${psi}`;
}

function invalid(message: string): ToolOutcome<never> {
  return { status: "error", summary: message, error: { code: "invalid_input", message, retryable: false } };
}
