import { z } from "zod";
import { SIGNALS, type Signal, type SignalContract, type TriggerRule } from "../../core/index.js";
import { errorOutcome } from "../outcome.js";
import type { ToolContext, ToolFlags, ToolOutcome } from "../tool.js";
import { escapeLabelValue, type PromSeries } from "./client.js";

/** Flags shared by every Prometheus tool: they only read, and talk to a system outside the autopilot. */
export const PROMETHEUS_FLAGS: ToolFlags = { readOnly: true, destructive: false, idempotent: true, openWorld: true };

/** Service names as they appear in the `service` label; nothing that could leave a PromQL literal. */
const SERVICE_PATTERN = /^[A-Za-z0-9_.:-]+$/;

/** Input field: a signal of the trigger contract. */
export const signalField = z.enum(SIGNALS).describe("signal of the trigger contract, e.g. ndcg_drop");
/** Input field: the `service` label value. */
export const serviceField = z.string().min(1).max(128).regex(SERVICE_PATTERN).describe('service label value, e.g. "search"');

/** Matches series of the traffic mix (`variant="all"`) and series without a variant label. */
export const ALL_VARIANTS = 'variant=~"all|"';

/** A selector `metric{service="...",extra}` with the service escaped. */
export function selector(metric: string, service: string, extra?: string): string {
  const matchers = [`service="${escapeLabelValue(service)}"`, ...(extra ? [extra] : [])];
  return `${metric}{${matchers.join(",")}}`;
}

/** The PromQL selector of a contract signal's series for a service, over all traffic (what the tools and the console chart read). */
export function signalSelector(contract: Pick<SignalContract, "metric">, service: string): string {
  return selector(contract.metric, service, ALL_VARIANTS);
}

/** The contract of `signal`, or an error naming the missing signal (a configuration mistake). */
export function signalContract(ctx: ToolContext, signal: Signal): SignalContract {
  const contract = ctx.contract.signals[signal] as SignalContract | undefined;
  if (!contract) throw new Error(`the trigger contract defines no signal "${signal}"`);
  return contract;
}

/** What a signal measures, for summaries ("NDCG@10 drop" reads "NDCG@10"). */
export function signalLabel(contract: SignalContract): string {
  return contract.title.replace(/ drop$/i, "");
}

/** A number for summaries: three significant digits below 0.1, three decimals below 10, one below 1000, none above. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && abs < 0.1) return value.toPrecision(3);
  return value.toFixed(abs < 10 ? 3 : abs < 1000 ? 1 : 0);
}

/** A fraction as a percentage ("0.03" reads "3%"). */
export function pct(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

/** A relative change with its sign ("-9.4%"). */
export function signedPct(change: number): string {
  return `${change > 0 ? "+" : ""}${(change * 100).toFixed(1)}%`;
}

/** How a trigger rule reads in a summary. */
export function describeTrigger(rule: TriggerRule): string {
  switch (rule.kind) {
    case "relative_drop":
      return `trigger at ${pct(rule.fraction)}`;
    case "above":
      return `trigger above ${fmt(rule.value)}`;
    case "below":
      return `trigger below ${fmt(rule.value)}`;
  }
}

/** The series that stands for the whole traffic: `variant="all"`, else one without a variant, else the first. */
export function trafficSeries<T extends { metric: Record<string, string> }>(series: T[]): T | undefined {
  return series.find((s) => s.metric.variant === "all") ?? series.find((s) => s.metric.variant === undefined) ?? series[0];
}

/**
 * The step of a range query over a window of `minutes`: a thirtieth of the window, between 15 s and
 * 60 s. Long windows keep one-minute samples; a short one (a test's 30-second A/B test) still gets
 * a few points. Never under 15 s, a usual scrape interval: closer points would repeat one scraped
 * value, and a breach "sustained" over consecutive points could then be a single scrape.
 */
export function rangeStepSeconds(minutes: number): number {
  return Math.min(60, Math.max(15, Math.round((minutes * 60) / 30)));
}

/** The finite values of a range series. */
export function finiteValues(series: PromSeries | undefined): { timestamp: number; value: number }[] {
  return (series?.values ?? []).filter((p) => Number.isFinite(p.value));
}

/** The mean of `values` to 12 significant digits (so 61 samples of 0.6 average 0.6), or null when there is none. */
export function mean(values: number[]): number | null {
  return values.length === 0 ? null : Number((values.reduce((a, b) => a + b, 0) / values.length).toPrecision(12));
}

/** A JSON-safe number: non-finite values as Prometheus writes them ("NaN", "+Inf", "-Inf"). */
export function jsonNumber(value: number): number | string {
  if (Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return "NaN";
  return value > 0 ? "+Inf" : "-Inf";
}

/** Unix seconds as an ISO instant. */
export function isoSeconds(timestamp: number): string {
  return new Date(Math.round(timestamp * 1000)).toISOString();
}

/**
 * Turns a failure into an error outcome. Cancellation is not a result a model should act on, so
 * when the call's signal is aborted the error propagates to the caller (the policy gate).
 */
export function failure(error: unknown, ctx: ToolContext, summary?: string): ToolOutcome<never> {
  if (ctx.signal.aborted) throw error;
  return errorOutcome(error, summary);
}
