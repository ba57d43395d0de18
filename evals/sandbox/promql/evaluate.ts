import { seriesKey, type Labels, type Sample, type SeriesSource } from "../world/series.js";
import { matchValue, type Expr, type Matcher } from "./parser.js";

/** The value of an expression at one instant. */
export type PromValue = { kind: "scalar"; value: number } | { kind: "vector"; samples: Sample[] };

/** A query that parses but cannot be executed (Prometheus' `execution` error). */
export class PromqlExecutionError extends Error {
  override name = "PromqlExecutionError";
}

/** Evaluates a parsed query at instant `t` (ms) over the sandbox's series. */
export function evaluate(expr: Expr, t: number, source: SeriesSource): PromValue {
  switch (expr.type) {
    case "number":
      return { kind: "scalar", value: expr.value };
    case "selector":
      return { kind: "vector", samples: select(expr.matchers, t, source) };
    case "rate":
      return { kind: "vector", samples: unique(rate(expr.selector.matchers, expr.selector.rangeMs ?? 0, t, source)) };
    case "aggregate":
      return { kind: "vector", samples: aggregate(expr.op, expr.by, vector(evaluate(expr.expr, t, source), expr.op)) };
    case "histogram_quantile":
      return { kind: "vector", samples: unique(histogramQuantile(expr.phi, vector(evaluate(expr.expr, t, source), "histogram_quantile"))) };
  }
}

function vector(value: PromValue, where: string): Sample[] {
  if (value.kind !== "vector") throw new PromqlExecutionError(`expected type instant vector in ${where}, got scalar`);
  return value.samples;
}

function select(matchers: Matcher[], t: number, source: SeriesSource): Sample[] {
  const exact = matchers.find((m) => m.name === "__name__" && m.op === "=");
  const nameMatchers = matchers.filter((m) => m.name === "__name__");
  const names = exact ? [exact.value] : source.names().filter((name) => nameMatchers.every((m) => matchValue(m, name)));
  return names.flatMap((name) => source.series(name, t)).filter((s) => matchers.every((m) => matchValue(m, s.labels[m.name] ?? "")));
}

function rate(matchers: Matcher[], rangeMs: number, t: number, source: SeriesSource): Sample[] {
  const seconds = rangeMs / 1000;
  const previous = new Map(select(matchers, t - rangeMs, source).map((s) => [seriesKey(s.labels), s.value]));
  const out: Sample[] = [];
  for (const sample of select(matchers, t, source)) {
    const before = source.counterAt(sample.labels, t - rangeMs) ?? previous.get(seriesKey(sample.labels));
    if (before === undefined) continue;
    // Counters never reset in the sandbox; a gauge that fell is treated as a reset, like Prometheus does.
    const delta = sample.value >= before ? sample.value - before : sample.value;
    out.push({ labels: dropName(sample.labels), value: delta / seconds });
  }
  return out;
}

function aggregate(op: string, by: string[] | null, samples: Sample[]): Sample[] {
  const groups = new Map<string, { labels: Labels; values: number[] }>();
  for (const sample of samples) {
    const labels: Labels = {};
    for (const name of by ?? []) {
      const value = sample.labels[name];
      if (value) labels[name] = value;
    }
    const key = seriesKey(labels);
    const group = groups.get(key) ?? { labels, values: [] };
    group.values.push(sample.value);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ labels, values }) => ({ labels, value: reduce(op, values) }));
}

function reduce(op: string, values: number[]): number {
  switch (op) {
    case "sum":
      return values.reduce((a, b) => a + b, 0);
    case "avg":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "min":
      return Math.min(...values);
    case "max":
      return Math.max(...values);
    default:
      return values.length;
  }
}

function histogramQuantile(phi: number, samples: Sample[]): Sample[] {
  const groups = new Map<string, { labels: Labels; buckets: { le: number; count: number }[] }>();
  for (const sample of samples) {
    const le = sample.labels.le;
    if (le === undefined) continue; // samples without le are ignored, as in Prometheus
    const { le: _le, __name__: _name, ...rest } = sample.labels;
    const key = seriesKey(rest);
    const group = groups.get(key) ?? { labels: rest, buckets: [] };
    group.buckets.push({ le: le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le), count: sample.value });
    groups.set(key, group);
  }
  return [...groups.values()].map(({ labels, buckets }) => ({ labels, value: bucketQuantile(phi, buckets) }));
}

/** Prometheus' classic-histogram quantile: linear interpolation inside the bucket the rank falls in. */
export function bucketQuantile(q: number, input: { le: number; count: number }[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const buckets = [...input].sort((a, b) => a.le - b.le);
  if (buckets.length < 2 || buckets[buckets.length - 1]!.le !== Number.POSITIVE_INFINITY) return NaN;
  for (let i = 1; i < buckets.length; i++) buckets[i]!.count = Math.max(buckets[i]!.count, buckets[i - 1]!.count);
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  const b = buckets.findIndex((bucket) => bucket.count >= rank);
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.le;
  if (b === 0 && buckets[0]!.le <= 0) return buckets[0]!.le;
  let start = 0;
  let count = buckets[b]!.count;
  if (b > 0) {
    start = buckets[b - 1]!.le;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return start + (buckets[b]!.le - start) * (rank / count);
}

function dropName(labels: Labels): Labels {
  const { __name__: _name, ...rest } = labels;
  return rest;
}

function unique(samples: Sample[]): Sample[] {
  const seen = new Set<string>();
  for (const sample of samples) {
    const key = seriesKey(sample.labels);
    if (seen.has(key)) throw new PromqlExecutionError("vector cannot contain metrics with the same labelset");
    seen.add(key);
  }
  return samples;
}
