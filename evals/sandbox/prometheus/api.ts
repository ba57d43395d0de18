import { Hono, type Context } from "hono";
import { parseDuration } from "../duration.js";
import { evaluate, PromqlExecutionError, type PromValue } from "../promql/evaluate.js";
import { parsePromql, PromqlParseError, PromqlUnsupportedError, type Expr } from "../promql/parser.js";
import { seriesKey, type Labels, type SeriesSource } from "../world/series.js";

/** What the Prometheus API needs. */
export interface PrometheusDeps {
  source: SeriesSource;
  now: () => number;
}

class PromApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_POINTS = 11_000;

/**
 * The Prometheus HTTP API v1 query endpoints over the sandbox's series, mounted under `/prometheus`:
 * the `{ status, data | errorType, error }` envelope, sample values as strings, and the error
 * mapping of the real server (bad_data 400, execution 422).
 */
export function createPrometheusApi(deps: PrometheusDeps): Hono {
  const app = new Hono();

  const query = async (c: Context) => {
    const p = await params(c);
    const expr = parseQuery(p.query);
    const t = p.time === undefined ? deps.now() : parseTime(p.time, "time");
    const value = run(expr, t);
    const ts = t / 1000;
    const data =
      value.kind === "scalar"
        ? { resultType: "scalar", result: [ts, formatValue(value.value)] }
        : { resultType: "vector", result: value.samples.map((s) => ({ metric: s.labels, value: [ts, formatValue(s.value)] })) };
    return c.json({ status: "success", data });
  };
  app.get("/api/v1/query", query);
  app.post("/api/v1/query", query);

  const queryRange = async (c: Context) => {
    const p = await params(c);
    const expr = parseQuery(p.query);
    const start = parseTime(required(p.start, "start"), "start");
    const end = parseTime(required(p.end, "end"), "end");
    const step = parseStep(required(p.step, "step"));
    if (end < start) throw new PromApiError(400, "bad_data", 'invalid parameter "end": end timestamp must not be before start time');
    if ((end - start) / step > MAX_POINTS) throw new PromApiError(400, "bad_data", "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
    const series = new Map<string, { metric: Labels; values: [number, string][] }>();
    for (let t = start; t <= end; t += step) {
      const value = run(expr, t);
      const samples = value.kind === "scalar" ? [{ labels: {}, value: value.value }] : value.samples;
      for (const s of samples) {
        const key = seriesKey(s.labels);
        const entry = series.get(key) ?? { metric: s.labels, values: [] };
        entry.values.push([t / 1000, formatValue(s.value)]);
        series.set(key, entry);
      }
    }
    const result = [...series.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
    return c.json({ status: "success", data: { resultType: "matrix", result } });
  };
  app.get("/api/v1/query_range", queryRange);
  app.post("/api/v1/query_range", queryRange);

  app.get("/api/v1/status/buildinfo", (c) =>
    c.json({ status: "success", data: { version: "3.14.0", revision: "sandbox", branch: "HEAD", buildUser: "sandbox", buildDate: "20260801-00:00:00", goVersion: "go1.25.0" } }),
  );
  app.get("/-/ready", (c) => c.text("Prometheus Server is Ready.\n"));
  app.get("/-/healthy", (c) => c.text("Prometheus Server is Healthy.\n"));

  // Registered last: Hono ignores a mounted app's notFound, so unknown paths end here.
  app.all("*", (c) => c.text("404 page not found\n", 404));
  app.onError((error, c) => {
    if (error instanceof PromApiError) return c.json({ status: "error", errorType: error.errorType, error: error.message }, error.status as 400);
    return c.json({ status: "error", errorType: "internal", error: error.message }, 500);
  });

  function run(expr: Expr, t: number): PromValue {
    try {
      return evaluate(expr, t, deps.source);
    } catch (error) {
      if (error instanceof PromqlExecutionError) throw new PromApiError(422, "execution", error.message);
      throw error;
    }
  }
  return app;
}

/** The body Prometheus sends with a 500, for fault injection. */
export function prometheusFaultBody(message: string) {
  return { status: "error", errorType: "internal", error: message };
}

/** Prometheus' rendering of a sample value: NaN, +Inf, -Inf or the number. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

function parseQuery(query: string | undefined): Expr {
  if (query === undefined || query === "") throw new PromApiError(400, "bad_data", 'invalid parameter "query": unknown position: parse error: no expression found in input');
  try {
    return parsePromql(query);
  } catch (error) {
    if (error instanceof PromqlUnsupportedError) throw new PromApiError(400, "bad_data", `the sandbox does not support: ${error.message}`);
    if (error instanceof PromqlParseError) throw new PromApiError(400, "bad_data", `invalid parameter "query": ${error.message}`);
    throw error;
  }
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value === "") throw new PromApiError(400, "bad_data", `invalid parameter "${name}": cannot parse "" to a valid ${name === "step" ? "duration" : "timestamp"}`);
  return value;
}

function parseTime(text: string, name: string): number {
  const ms = /^[+-]?\d+(\.\d+)?$/.test(text) ? Math.round(Number(text) * 1000) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new PromApiError(400, "bad_data", `invalid parameter "${name}": cannot parse "${text}" to a valid timestamp`);
  return ms;
}

function parseStep(text: string): number {
  let ms: number;
  try {
    ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : parseDuration(text);
  } catch {
    throw new PromApiError(400, "bad_data", `invalid parameter "step": cannot parse "${text}" to a valid duration`);
  }
  if (!(ms > 0)) throw new PromApiError(400, "bad_data", "zero or negative query resolution step widths are not accepted. Try a positive integer");
  return ms;
}

// Parameters come from the query string or, for POST, a form-encoded body.
async function params(c: Context): Promise<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = { ...c.req.query() };
  if (c.req.method === "POST") for (const [k, v] of new URLSearchParams(await c.req.text())) out[k] = v;
  return out;
}
