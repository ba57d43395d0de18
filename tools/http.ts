import type { z } from "zod";
import { AutopilotError, errorMessage } from "../core/index.js";

/** An upstream system answered with an error, timed out, or could not be reached. */
export class UpstreamError extends AutopilotError {
  override name = "UpstreamError";
  /** The system, e.g. "mlflow". */
  readonly system: string;
  /** `METHOD path` of the request (no query string, no credentials). */
  readonly request: string;
  /** HTTP status, when the system answered. */
  readonly status: number | undefined;
  /** The system's own error message, when it gave one. */
  readonly upstreamMessage: string | undefined;
  /** Whether retrying could help (network errors, timeouts, 5xx). */
  readonly retryable: boolean;

  constructor(init: {
    system: string;
    request: string;
    status?: number;
    upstreamMessage?: string;
    retryable: boolean;
    code: string;
    message: string;
    cause?: unknown;
  }) {
    super(init.code, init.message, {
      details: { system: init.system, request: init.request, status: init.status, upstream_message: init.upstreamMessage },
      cause: init.cause,
    });
    this.system = init.system;
    this.request = init.request;
    this.status = init.status;
    this.upstreamMessage = init.upstreamMessage;
    this.retryable = init.retryable;
  }
}

/** Whether `error` is an UpstreamError. */
export function isUpstreamError(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError;
}

/** How an HTTP client of one system behaves. */
export interface HttpClientOptions {
  /** Name used in errors ("prometheus", "mlflow", ...). */
  system: string;
  /** Base URL; request paths are appended to it. */
  baseUrl: string;
  /** Injected fetch (tests, proxies). */
  fetch?: typeof fetch;
  /** Per-attempt timeout in ms (default 10 s). */
  timeoutMs?: number;
  /** Retries after the first attempt, for network errors, timeouts and 5xx only (default 2). */
  retries?: number;
  /** First backoff delay in ms, doubled each retry, with jitter (default 200). */
  backoffMs?: number;
  /** Headers added to every request, e.g. authentication. Their values never appear in errors. */
  headers?: () => Record<string, string>;
  /** Extracts the system's error message from an error body. */
  errorMessage?: (body: unknown, text: string) => string | undefined;
  /** Injected sleep for backoff (tests). */
  sleep?: (ms: number) => Promise<void>;
}

/** What every system client takes: where the system is and how patiently to call it. */
export interface SystemClientOptions {
  /** The system's root URL; the client appends its API paths. */
  baseUrl: string;
  /** Injected fetch (tests, proxies). */
  fetch?: typeof fetch;
  /** Per-attempt timeout in ms (default 10 s). */
  timeoutMs?: number;
  /** Retries after the first attempt, for network errors, timeouts and 5xx only (default 2). */
  retries?: number;
  /** First backoff delay in ms, doubled each retry (default 200). */
  backoffMs?: number;
}

/** One request. */
export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | number | boolean | readonly (string | number)[] | undefined>;
  /** JSON body. */
  json?: unknown;
  /** application/x-www-form-urlencoded body. */
  form?: Record<string, string | number | boolean | undefined>;
  /** Raw body. */
  body?: Uint8Array | string;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Whether this request may be retried; defaults to true for GET, PUT and DELETE. */
  retry?: boolean;
}

/** A typed HTTP client for one system. */
export interface HttpClient {
  readonly system: string;
  readonly baseUrl: string;
  /** Sends a request and validates the JSON answer with `schema`. */
  json<T>(req: HttpRequest, schema: z.ZodType<T>): Promise<T>;
  /** Sends a request and returns the body as text. */
  text(req: HttpRequest): Promise<string>;
  /** Sends a request and returns the body as bytes. */
  bytes(req: HttpRequest): Promise<Uint8Array>;
}

/** Why a request never got an answer: fetch's own "fetch failed" plus its cause (e.g. "connect ECONNREFUSED 10.0.0.5:9090"). */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const detail = cause instanceof Error ? cause.message : undefined;
  const message = errorMessage(error);
  return detail && !message.includes(detail) ? `${message} (${detail})` : message;
}

/** Creates the HTTP client of one system. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 2;
  const backoffMs = options.backoffMs ?? 200;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const base = options.baseUrl.replace(/\/+$/, "");

  async function send(req: HttpRequest): Promise<Response> {
    const label = `${req.method} ${req.path}`;
    const url = new URL(base + req.path);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, String(v));
      else url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: "application/json", ...(options.headers?.() ?? {}), ...(req.headers ?? {}) };
    let body: BodyInit | undefined;
    if (req.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(req.json);
    } else if (req.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(req.form)) if (v !== undefined) form.set(k, String(v));
      body = form.toString();
    } else if (req.body !== undefined) {
      headers["content-type"] = req.contentType ?? "application/octet-stream";
      body = req.body as BodyInit;
    }
    const mayRetry = req.retry ?? (req.method === "GET" || req.method === "PUT" || req.method === "DELETE");
    const attempts = mayRetry ? retries + 1 : 1;
    let last: UpstreamError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (req.signal?.aborted) throw abortError(options.system, label, req.signal.reason);
      const timeout = AbortSignal.timeout(req.timeoutMs ?? timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      try {
        const res = await fetchImpl(url, { method: req.method, headers, body, signal });
        if (res.ok) return res;
        last = await upstreamFailure(res, label);
      } catch (error) {
        if (req.signal?.aborted) throw abortError(options.system, label, req.signal.reason);
        const timedOut = timeout.aborted;
        last = new UpstreamError({
          system: options.system,
          request: label,
          retryable: true,
          code: timedOut ? "upstream_timeout" : "upstream_unreachable",
          message: timedOut
            ? `${options.system}: ${label} timed out after ${req.timeoutMs ?? timeoutMs} ms`
            : `${options.system}: ${label} failed: ${networkReason(error)}`,
          cause: error,
        });
      }
      if (!last.retryable || attempt === attempts) break;
      const delay = backoffMs * 2 ** (attempt - 1);
      await sleep(delay / 2 + Math.random() * (delay / 2));
    }
    throw last!;
  }

  async function upstreamFailure(res: Response, label: string): Promise<UpstreamError> {
    const text = await res.text().catch(() => "");
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const upstreamMessage = options.errorMessage?.(parsed, text) ?? (text.trim().slice(0, 500) || undefined);
    return new UpstreamError({
      system: options.system,
      request: label,
      status: res.status,
      upstreamMessage,
      retryable: res.status >= 500,
      code: res.status >= 500 ? "upstream_server_error" : "upstream_rejected",
      message: `${options.system}: ${label} answered ${res.status}${upstreamMessage ? `: ${upstreamMessage}` : ""}`,
    });
  }

  return {
    system: options.system,
    baseUrl: base,
    async json<T>(req: HttpRequest, schema: z.ZodType<T>): Promise<T> {
      const res = await send(req);
      const text = await res.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : {};
      } catch (error) {
        throw garbage(req, res.status, `answered non-JSON: ${text.slice(0, 120)}`, error);
      }
      const parsed = schema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw garbage(req, res.status, `answered an unexpected shape (${issue?.path.join(".") || "body"}: ${issue?.message})`, parsed.error);
      }
      return parsed.data;
    },
    async text(req) {
      return (await send(req)).text();
    },
    async bytes(req) {
      return new Uint8Array(await (await send(req)).arrayBuffer());
    },
  };

  function garbage(req: HttpRequest, status: number, what: string, cause: unknown): UpstreamError {
    const label = `${req.method} ${req.path}`;
    return new UpstreamError({
      system: options.system,
      request: label,
      status,
      retryable: false,
      code: "upstream_invalid_response",
      message: `${options.system}: ${label} ${what}`,
      cause,
    });
  }
}

function abortError(system: string, request: string, reason: unknown): UpstreamError {
  return new UpstreamError({
    system,
    request,
    retryable: false,
    code: "aborted",
    message: `${system}: ${request} was cancelled${reason ? `: ${errorMessage(reason)}` : ""}`,
    cause: reason,
  });
}
