import { AutopilotError, errorMessage } from "../../core/index.js";
import type { Config } from "../config.js";

/** The shell commands' view of a failed call: the API's refusal, a missing token, a timeout or a server out of reach. */
export class ApiClientError extends AutopilotError {
  override name = "ApiClientError";
  /** The HTTP status when the server answered; null when it never did. */
  readonly status: number | null;

  constructor(init: { code: string; message: string; status?: number | null; details?: Record<string, unknown>; cause?: unknown }) {
    super(init.code, init.message, { details: init.details ?? {}, cause: init.cause });
    this.status = init.status ?? null;
  }
}

/** Whether `error` is an ApiClientError. */
export function isApiClientError(error: unknown): error is ApiClientError {
  return error instanceof ApiClientError;
}

/** Where the server is and how to call it. */
export interface ApiClientOptions {
  /** The server's root URL (`config.client.url`). */
  url: string;
  /** The API token (`config.client.token`); calls fail naming AUTOPILOT_TOKEN when it is missing. */
  token: string | undefined;
  /** Injected fetch (tests). */
  fetch?: typeof fetch;
  /** Time allowed for a request's whole answer, or for a stream's headers (default 10 s). */
  timeoutMs?: number;
  /** Time a stream may stay silent between two chunks before it is given up (default 120 s). */
  streamIdleMs?: number;
}

/** One server-sent event, its data parsed as JSON when it is JSON. */
export interface SseEvent {
  event: string;
  data: unknown;
}

/** A client of the autopilot's HTTP API for the shell commands. */
export interface ApiClient {
  readonly url: string;
  /** Sends a JSON request and returns the JSON answer; throws an ApiClientError on anything but 2xx. */
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Sends a request answered with `text/event-stream` and yields its events until the server ends it. */
  stream(method: string, path: string, body?: unknown): AsyncGenerator<SseEvent, void, undefined>;
}

/** Creates the client; nothing is sent until the first call. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = options.url.replace(/\/+$/, "");
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const streamIdleMs = options.streamIdleMs ?? 120_000;

  /** Sends one request under `controller`; maps network failures and error answers to ApiClientError. */
  async function send(method: string, path: string, body: unknown, accept: string, controller: AbortController, timer: { expired: boolean }): Promise<Response> {
    if (!options.token) {
      throw new ApiClientError({
        code: "no_token",
        message: "AUTOPILOT_TOKEN is not set: create a token with `npx autopilot token create --role operator` (viewer is enough to read) and export it as AUTOPILOT_TOKEN",
      });
    }
    const label = `${method} ${path}`;
    let res: Response;
    try {
      res = await fetchImpl(base + path, {
        method,
        headers: { accept, authorization: `Bearer ${options.token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      });
    } catch (error) {
      throw transportError(label, error, timer.expired);
    }
    if (!res.ok) throw await refusal(res, label);
    return res;
  }

  /** Why the server could not be asked: a timeout, or the connection's own reason (ECONNREFUSED, ENOTFOUND...). */
  function transportError(label: string, error: unknown, timedOut: boolean): ApiClientError {
    if (timedOut) {
      return new ApiClientError({ code: "timeout", message: `the autopilot server at ${base} did not answer ${label} within ${timeoutMs} ms`, cause: error });
    }
    const cause = (error as { cause?: unknown } | null)?.cause;
    const reason = cause instanceof Error ? cause.message : errorMessage(error);
    return new ApiClientError({
      code: "unreachable",
      message: `cannot reach the autopilot server at ${base} (${reason}): is \`npx autopilot serve\` running there? Set AUTOPILOT_URL to point elsewhere`,
      cause: error,
    });
  }

  function withDeadline<T>(ms: number, run: (controller: AbortController, timer: { expired: boolean }) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const timer = { expired: false };
    const handle = setTimeout(() => {
      timer.expired = true;
      controller.abort(new Error("timeout"));
    }, ms);
    return run(controller, timer).finally(() => clearTimeout(handle));
  }

  return {
    url: base,

    request: <T>(method: string, path: string, body?: unknown) =>
      withDeadline(timeoutMs, async (controller, timer) => {
        const res = await send(method, path, body, "application/json", controller, timer);
        try {
          const text = await res.text();
          return (text ? JSON.parse(text) : null) as T;
        } catch (error) {
          if (timer.expired) throw transportError(`${method} ${path}`, error, true);
          throw new ApiClientError({ code: "bad_answer", message: `the autopilot server at ${base} answered ${method} ${path} with something that is not JSON`, status: res.status, cause: error });
        }
      }),

    async *stream(method, path, body) {
      const controller = new AbortController();
      const timer = { expired: false };
      const deadline = setTimeout(() => ((timer.expired = true), controller.abort(new Error("timeout"))), timeoutMs);
      let reader: ReadableStreamDefaultReader<string> | undefined;
      let idle: ReturnType<typeof setTimeout> | undefined;
      try {
        const res = await send(method, path, body, "text/event-stream", controller, timer);
        clearTimeout(deadline);
        if (!res.body) return;
        reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        const parser = createSseParser();
        for (;;) {
          // Raced rather than left to the fetch's signal: a body stream need not end when its request is aborted.
          const silence = new Promise<never>((_resolve, reject) => {
            idle = setTimeout(
              () => reject(new ApiClientError({ code: "timeout", message: `the autopilot server at ${base} sent nothing on ${method} ${path} for ${streamIdleMs} ms` })),
              streamIdleMs,
            );
          });
          let chunk: ReadableStreamReadResult<string>;
          try {
            chunk = await Promise.race([reader.read(), silence]);
          } catch (error) {
            throw isApiClientError(error) ? error : transportError(`${method} ${path}`, error, false);
          } finally {
            clearTimeout(idle);
          }
          // An event the server never finished (no blank line before the end) is dropped, as the SSE spec says.
          if (chunk.done) break;
          yield* parser.push(chunk.value);
        }
      } finally {
        clearTimeout(deadline);
        clearTimeout(idle);
        // Stops the request when the caller leaves the loop early or the stream failed.
        reader?.cancel().catch(() => {});
        controller.abort();
      }
    },
  };
}

/** The client of the server the shell commands talk to: AUTOPILOT_URL with AUTOPILOT_TOKEN. */
export function apiClientFor(config: Pick<Config, "client">, options: Pick<ApiClientOptions, "fetch" | "timeoutMs" | "streamIdleMs"> = {}): ApiClient {
  return createApiClient({ url: config.client.url, token: config.client.token, ...options });
}

/** The API's `{ error: { code, message } }` of a refused request, as an error naming the status. */
async function refusal(res: Response, label: string): Promise<ApiClientError> {
  const text = await res.text().catch(() => "");
  let body: { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  const code = typeof body?.error?.code === "string" ? body.error.code : `http_${res.status}`;
  const message = typeof body?.error?.message === "string" ? body.error.message : text.trim().slice(0, 300) || res.statusText;
  const details = body?.error?.details && typeof body.error.details === "object" ? (body.error.details as Record<string, unknown>) : {};
  // A 401 is about the token the shell was given, not about the request.
  const hint = res.status === 401 ? " (check AUTOPILOT_TOKEN)" : "";
  return new ApiClientError({ code, status: res.status, details, message: `the server refused ${label} (${res.status} ${code}): ${message}${hint}` });
}

/** An incremental parser of `text/event-stream`: feed it text, get the complete events. */
export function createSseParser(): { push(text: string): SseEvent[] } {
  let buffer = "";
  let event = "";
  let data: string[] = [];
  const dispatch = (out: SseEvent[]) => {
    if (data.length > 0) {
      const raw = data.join("\n");
      let parsed: unknown = raw;
      try {
        parsed = JSON.parse(raw);
      } catch {
        // Plain-text data stays a string.
      }
      out.push({ event: event || "message", data: parsed });
    }
    event = "";
    data = [];
  };
  return {
    push(text) {
      buffer += text;
      const out: SseEvent[] = [];
      // A trailing \r may be the first half of a \r\n split across chunks: keep it for the next one.
      const held = buffer.endsWith("\r") ? "\r" : "";
      const lines = (held ? buffer.slice(0, -1) : buffer).split(/\r\n|\r|\n/);
      // The last piece may be a line still being received.
      buffer = (lines.pop() ?? "") + held;
      for (const line of lines) {
        if (line === "") dispatch(out);
        else if (line.startsWith(":")) continue;
        else {
          const colon = line.indexOf(":");
          const field = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") event = value;
          else if (field === "data") data.push(value);
        }
      }
      return out;
    },
  };
}
