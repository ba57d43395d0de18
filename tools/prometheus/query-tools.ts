import { z } from "zod";
import { defineTool, type ToolOutcome } from "../tool.js";
import type { PromSeries } from "./client.js";
import { PROMETHEUS_FLAGS, failure, isoSeconds, jsonNumber, mean, rangeStepSeconds } from "./tool-support.js";

/** Most series a query tool returns; the total count is always reported. */
const MAX_SERIES = 200;
/** Points of one series a range summary lists by default, and at most when asked. */
const DEFAULT_SAMPLES = 60;
const MAX_SAMPLES = 1_000;
// Prometheus refuses more than 11,000 points per series (bad_data).
const MAX_POINTS = 11_000;

const queryField = z.string().min(1).max(2000).describe("PromQL expression");

/** What `prometheus_query_instant` returns. */
export interface InstantQueryResult {
  query: string;
  time: string;
  total: number;
  series: { metric: Record<string, string>; value: number | string }[];
}

/** `prometheus_query_instant`: any PromQL at one instant. */
export const queryInstantTool = defineTool({
  name: "prometheus_query_instant",
  system: "prometheus",
  title: "Run an instant PromQL query",
  description: `Evaluates any PromQL expression at one instant (default now) and returns up to ${MAX_SERIES} series with their values and the total count.`,
  input: z.object({
    query: queryField,
    time: z.iso.datetime({ offset: true }).optional().describe("RFC3339 instant to evaluate at; default now"),
  }),
  flags: PROMETHEUS_FLAGS,
  timeoutMs: 60_000,
  async run({ query, time }, ctx): Promise<ToolOutcome<InstantQueryResult>> {
    const at = time ? new Date(time) : ctx.clock.now();
    try {
      const samples = await ctx.clients.prometheus.query(query, { time: at, signal: ctx.signal });
      const iso = at.toISOString();
      if (samples.length === 0) return { status: "no_data", summary: `no series for ${query} at ${iso}` };
      const series = samples.slice(0, MAX_SERIES).map((s) => ({ metric: s.metric, value: jsonNumber(s.value) }));
      const shown = samples.length > MAX_SERIES ? ` (first ${MAX_SERIES} shown)` : "";
      return {
        status: "success",
        summary: `${samples.length} series for ${query} at ${iso}${shown}`,
        data: { query, time: iso, total: samples.length, series },
      };
    } catch (error) {
      return failure(error, ctx);
    }
  },
});

/** One series of `prometheus_query_range`, summarised. */
export interface RangeSeriesSummary {
  metric: Record<string, string>;
  points: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  first: number | string | null;
  last: number | string | null;
  /** At most `samples` points (default DEFAULT_SAMPLES), evenly spaced, as [ISO time, value]. */
  samples: [string, number | string][];
}

/** What `prometheus_query_range` returns. */
export interface RangeQueryResult {
  query: string;
  start: string;
  end: string;
  step_seconds: number;
  total: number;
  series: RangeSeriesSummary[];
}

/** `prometheus_query_range`: any PromQL over the last minutes, summarised per series. */
export const queryRangeTool = defineTool({
  name: "prometheus_query_range",
  system: "prometheus",
  title: "Run a range PromQL query",
  description: `Evaluates any PromQL expression over a window of N minutes (ending now, or at \`end\`) and summarises each series (points, min, max, mean, first, last, ${DEFAULT_SAMPLES} evenly spaced samples unless \`samples\` asks for more). Up to ${MAX_SERIES} series.`,
  input: z.object({
    query: queryField,
    minutes: z.number().int().min(1).max(10_080).default(60).describe("window length in minutes, ending now or at `end` (max 7 days)"),
    end: z.iso.datetime({ offset: true }).optional().describe("RFC3339 instant the window ends at; default now"),
    samples: z.number().int().min(2).max(MAX_SAMPLES).default(DEFAULT_SAMPLES).describe(`evenly spaced samples listed per series (max ${MAX_SAMPLES})`),
    step_seconds: z
      .number()
      .int()
      .min(1)
      .max(86_400)
      .optional()
      .describe("resolution step in seconds; default a thirtieth of the window, between 15 and 60 (60 for an hour and more)"),
  }),
  flags: PROMETHEUS_FLAGS,
  timeoutMs: 120_000,
  async run({ query, minutes, end: endAt, samples, step_seconds: step }, ctx): Promise<ToolOutcome<RangeQueryResult>> {
    const step_seconds = step ?? rangeStepSeconds(minutes);
    const points = Math.floor((minutes * 60) / step_seconds) + 1;
    if (points > MAX_POINTS) {
      const minStep = Math.ceil((minutes * 60) / (MAX_POINTS - 1));
      const message = `${minutes} minutes at ${step_seconds} s steps is ${points} points per series; Prometheus allows ${MAX_POINTS}: raise step_seconds to at least ${minStep}`;
      return { status: "error", summary: message, error: { code: "invalid_input", message, retryable: false } };
    }
    const end = endAt ? new Date(endAt) : ctx.clock.now();
    const start = new Date(end.getTime() - minutes * 60_000);
    try {
      const series = await ctx.clients.prometheus.queryRange(query, { start, end, stepSeconds: step_seconds, signal: ctx.signal });
      const window = `${start.toISOString()} to ${end.toISOString()}`;
      if (series.length === 0) return { status: "no_data", summary: `no series for ${query} from ${window}` };
      const shown = series.length > MAX_SERIES ? ` (first ${MAX_SERIES} shown)` : "";
      return {
        status: "success",
        summary: `${series.length} series for ${query} from ${window} at ${step_seconds} s steps${shown}`,
        data: {
          query,
          start: start.toISOString(),
          end: end.toISOString(),
          step_seconds,
          total: series.length,
          series: series.slice(0, MAX_SERIES).map((one) => summarizeSeries(one, samples)),
        },
      };
    } catch (error) {
      return failure(error, ctx);
    }
  },
});

/** Summarises one range series; statistics ignore NaN and infinities. */
function summarizeSeries(series: PromSeries, samples: number): RangeSeriesSummary {
  const values = series.values;
  const finite = values.map((p) => p.value).filter(Number.isFinite);
  const first = values[0];
  const last = values.at(-1);
  return {
    metric: series.metric,
    points: values.length,
    min: finite.length ? Math.min(...finite) : null,
    max: finite.length ? Math.max(...finite) : null,
    mean: mean(finite),
    first: first ? jsonNumber(first.value) : null,
    last: last ? jsonNumber(last.value) : null,
    samples: downsample(values, samples).map((p) => [isoSeconds(p.timestamp), jsonNumber(p.value)]),
  };
}

/** At most `max` evenly spaced items of `items`, always keeping the first and the last. */
export function downsample<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  return Array.from({ length: max }, (_, i) => items[Math.round((i * (items.length - 1)) / (max - 1))]!);
}
