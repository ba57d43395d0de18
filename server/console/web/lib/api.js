// Calls to the server's API with the session cookie; every refusal becomes an ApiError carrying the
// server's own `{ error: { code, message } }`, which the pages show as it is.

/** An answer of the API that is not a success, or no answer at all (status 0). */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {Record<string, unknown>} [details]
   */
  constructor(status, code, message, details = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** @type {(error: ApiError) => void} */
let unauthenticated = () => {};

/**
 * Sets what happens when the API says the session is gone (401 on any call but signing in).
 * @param {(error: ApiError) => void} handler
 */
export function onUnauthenticated(handler) {
  unauthenticated = handler;
}

/**
 * Reads a refused answer into an ApiError: the server's message when it sent the one error shape,
 * otherwise the status line.
 * @param {Response} res
 * @returns {Promise<ApiError>}
 */
export async function errorFromResponse(res) {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text);
    const e = body && typeof body === "object" ? body.error : undefined;
    if (e && typeof e.message === "string") return new ApiError(res.status, String(e.code ?? "error"), e.message, e.details ?? {});
  } catch {
    // Not JSON: a proxy's page or an empty body.
  }
  const status = `${res.status} ${res.statusText}`.trim();
  return new ApiError(res.status, `http_${res.status}`, `The server answered ${status} without an explanation.`);
}

/**
 * A network failure (no answer) as an ApiError; an abort is passed on as it is.
 * @param {unknown} error
 * @returns {unknown}
 */
export function networkError(error) {
  if (error instanceof DOMException && error.name === "AbortError") return error;
  return new ApiError(0, "network_error", "The server did not answer. Check that it is running and your connection, then try again.");
}

/**
 * Sends a request and returns its JSON body.
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, signal?: AbortSignal, headers?: Record<string, string> }} [options]
 * @returns {Promise<any>}
 */
export async function request(method, path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: "application/json", ...options.headers };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  let res;
  try {
    res = await fetch(path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), signal: options.signal, credentials: "same-origin" });
  } catch (error) {
    throw networkError(error);
  }
  if (!res.ok) throw await refused(path, res);
  if (res.status === 204) return null;
  return res.json();
}

/**
 * The ApiError of a refused answer; a 401 outside signing in also ends the session in the page.
 * @param {string} path
 * @param {Response} res
 */
export async function refused(path, res) {
  const error = await errorFromResponse(res);
  if (res.status === 401 && !path.startsWith("/api/v1/session")) unauthenticated(error);
  return error;
}

/** Shorthands for the verbs the console uses. */
export const api = {
  /** @param {string} path @param {AbortSignal} [signal] */
  get: (path, signal) => request("GET", path, { signal }),
  /** @param {string} path @param {unknown} body @param {AbortSignal} [signal] */
  post: (path, body, signal) => request("POST", path, { body, signal }),
  /** @param {string} path @param {unknown} body @param {AbortSignal} [signal] */
  put: (path, body, signal) => request("PUT", path, { body, signal }),
  /** @param {string} path @param {AbortSignal} [signal] */
  del: (path, signal) => request("DELETE", path, { signal }),
};

/**
 * Whether an error is the abort of a page being left (nothing to show).
 * @param {unknown} error
 */
export function isAbort(error) {
  return error instanceof DOMException && error.name === "AbortError";
}
