import { z } from "zod";
import { createHttpClient, UpstreamError, type HttpClient, type SystemClientOptions } from "../http.js";

/** One sample of an instant query; `value` may be NaN or ±Infinity. */
export interface PromSample {
  metric: Record<string, string>;
  /** Unix seconds (float). */
  timestamp: number;
  value: number;
}

/** One series of a range query. */
export interface PromSeries {
  metric: Record<string, string>;
  values: { timestamp: number; value: number }[];
}

/** How to reach a Prometheus server. */
export interface PrometheusClientOptions extends SystemClientOptions {
  /** Base URL without `/api/v1`, e.g. `http://prometheus:9090` or `http://sandbox/prometheus`. */
  baseUrl: string;
  /** Extra headers (e.g. a proxy's authorization); their values never appear in errors. */
  headers?: Record<string, string>;
}

// Section 1.4: values travel as strings ("NaN", "+Inf", "1e+00"); timestamps as float seconds.
// Values are read with Number(), except the infinities (see parseValue).
const SamplePair = z.tuple([z.number(), z.string()]);
const Metric = z.record(z.string(), z.string());
const QueryData = z.discriminatedUnion("resultType", [
  // Native-histogram samples carry `histogram` instead of `value`; they have no single number.
  z.object({ resultType: z.literal("vector"), result: z.array(z.object({ metric: Metric, value: SamplePair.optional() })) }),
  z.object({ resultType: z.literal("matrix"), result: z.array(z.object({ metric: Metric, values: z.array(SamplePair).optional() })) }),
  z.object({ resultType: z.literal("scalar"), result: SamplePair }),
  z.object({ resultType: z.literal("string"), result: SamplePair }),
]);
const Envelope = z.object({
  status: z.enum(["success", "error"]),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()).optional(),
  infos: z.array(z.string()).optional(),
});
type QueryData = z.infer<typeof QueryData>;

/** Reads `"<errorType>: <error>"` from an error envelope (section 1.1). */
function envelopeMessage(body: unknown): string | undefined {
  const parsed = Envelope.safeParse(body);
  if (!parsed.success || parsed.data.status !== "error") return undefined;
  return `${parsed.data.errorType ?? "error"}: ${parsed.data.error ?? "unknown error"}`;
}

/**
 * Escapes a label value for a double-quoted PromQL string literal, so a value taken from input
 * can never close the literal and inject PromQL.
 */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

/** A client of the Prometheus HTTP API v1 query endpoints (section 1 of the API contracts). */
export class PrometheusClient {
  private readonly http: HttpClient;

  constructor(options: PrometheusClientOptions) {
    const headers = { ...(options.headers ?? {}) };
    this.http = createHttpClient({
      system: "prometheus",
      baseUrl: options.baseUrl,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      backoffMs: options.backoffMs,
      headers: () => headers,
      errorMessage: envelopeMessage,
    });
  }

  /** Evaluates `expr` at one instant (default: the server's now); a scalar becomes one sample with no labels. */
  async query(expr: string, options: { time?: Date; signal?: AbortSignal } = {}): Promise<PromSample[]> {
    const path = "/api/v1/query";
    const data = await this.send(path, { query: expr, time: options.time?.toISOString() }, options.signal);
    switch (data.resultType) {
      case "vector":
        return data.result.flatMap((item) => (item.value ? [{ metric: item.metric, ...sample(item.value) }] : []));
      case "matrix":
        // A range selector (`x[5m]`) at an instant: keep the newest sample of each series.
        return data.result.flatMap((item) => {
          const last = item.values?.at(-1);
          return last ? [{ metric: item.metric, ...sample(last) }] : [];
        });
      case "scalar":
      case "string":
        return [{ metric: {}, ...sample(data.result) }];
    }
  }

  /** Evaluates `expr` over `[start, end]` every `stepSeconds`. */
  async queryRange(
    expr: string,
    options: { start: Date; end: Date; stepSeconds: number; signal?: AbortSignal },
  ): Promise<PromSeries[]> {
    const path = "/api/v1/query_range";
    const form = { query: expr, start: options.start.toISOString(), end: options.end.toISOString(), step: options.stepSeconds };
    const data = await this.send(path, form, options.signal);
    if (data.resultType !== "matrix") throw this.invalid(path, `answered resultType "${data.resultType}" to a range query`);
    return data.result.map((item) => ({ metric: item.metric, values: (item.values ?? []).map(sample) }));
  }

  private async send(path: string, form: Record<string, string | number | undefined>, signal?: AbortSignal): Promise<QueryData> {
    // Queries are idempotent, so POST (long queries fit) may be retried.
    const envelope = await this.http.json({ method: "POST", path, form, signal, retry: true }, Envelope);
    const message = envelopeMessage(envelope);
    if (message !== undefined) {
      throw new UpstreamError({
        system: "prometheus",
        request: `POST ${path}`,
        upstreamMessage: message,
        retryable: false,
        code: "upstream_rejected",
        message: `prometheus: POST ${path} answered ${message}`,
      });
    }
    const data = QueryData.safeParse(envelope.data);
    if (!data.success) {
      const issue = data.error.issues[0];
      throw this.invalid(path, `answered an unexpected shape (data.${issue?.path.join(".") ?? ""}: ${issue?.message})`);
    }
    return data.data;
  }

  private invalid(path: string, what: string): UpstreamError {
    return new UpstreamError({
      system: "prometheus",
      request: `POST ${path}`,
      retryable: false,
      code: "upstream_invalid_response",
      message: `prometheus: POST ${path} ${what}`,
    });
  }
}

function sample([timestamp, value]: [number, string]): { timestamp: number; value: number } {
  return { timestamp, value: parseValue(value) };
}

// Go's FormatFloat writes infinities as "+Inf"/"-Inf", which Number() (and parseFloat) read as NaN.
function parseValue(value: string): number {
  if (value === "+Inf" || value === "Inf") return Infinity;
  if (value === "-Inf") return -Infinity;
  return Number(value);
}
