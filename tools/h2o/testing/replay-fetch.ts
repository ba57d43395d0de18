import { readdirSync, readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";

/**
 * A recorded request/response pair of an upstream API, taken from the API contract reference. The
 * client tests replay them; the sandbox's APIs are checked against the same files.
 */
export interface HttpFixture {
  name: string;
  /** The section of the reference (or source) the pair follows. */
  source: string;
  request: {
    method: string;
    /** Path below the base URL, percent-encoded as sent. */
    path: string;
    query?: Record<string, string | string[]>;
    json?: unknown;
    form?: Record<string, string>;
  };
  /** A string body is sent as is (plain text, binary), anything else as JSON. */
  response: { status: number; body: unknown };
}

/** One request the replaying fetch received. */
export interface RecordedCall {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
}

/** A fetch that answers with fixtures in order and checks each request against its fixture. */
export interface ReplayFetch {
  fetch: typeof fetch;
  calls: RecordedCall[];
  /** Requests that did not match their fixture (answered 418 so that the client does not retry). */
  mismatches: string[];
  /** Throws when a request mismatched or a fixture was not used. */
  assertDone(): void;
}

/** Loads every `*.json` fixture of a directory, by file name without extension. */
export function loadFixtures(dir: URL): Record<string, HttpFixture> {
  const out: Record<string, HttpFixture> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    out[file.slice(0, -5)] = JSON.parse(readFileSync(new URL(file, dir), "utf8")) as HttpFixture;
  }
  return out;
}

/** Replays `fixtures` in order; `basePath` is the path of the client's base URL (e.g. "/mlflow"). */
export function replayFetch(fixtures: readonly HttpFixture[], basePath = ""): ReplayFetch {
  const queue = [...fixtures];
  const calls: RecordedCall[] = [];
  const mismatches: string[] = [];
  const fetchImpl = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const body = typeof init.body === "string" || init.body instanceof Uint8Array ? init.body : undefined;
    const method = init.method ?? "GET";
    calls.push({ method, url, headers, body });
    const fixture = queue.shift();
    const problems = fixture ? compare(fixture, method, url, headers, body, basePath) : ["no fixture left"];
    if (problems.length > 0) {
      const what = `${method} ${url.pathname}${url.search} vs ${fixture?.name ?? "(none)"}: ${problems.join("; ")}`;
      mismatches.push(what);
      return new Response(JSON.stringify({ mismatch: what }), { status: 418, headers: { "content-type": "application/json" } });
    }
    const resBody = fixture!.response.body;
    return typeof resBody === "string"
      ? new Response(resBody, { status: fixture!.response.status, headers: { "content-type": "text/plain" } })
      : new Response(JSON.stringify(resBody), { status: fixture!.response.status, headers: { "content-type": "application/json" } });
  };
  return {
    fetch: fetchImpl as typeof fetch,
    calls,
    mismatches,
    assertDone() {
      const left = queue.map((f) => f.name);
      if (mismatches.length || left.length) throw new Error(`replay: mismatches [${mismatches.join(" | ")}], unused [${left.join(", ")}]`);
    },
  };
}

function compare(
  fixture: HttpFixture,
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
  basePath: string,
): string[] {
  const problems: string[] = [];
  const req = fixture.request;
  if (method !== req.method) problems.push(`method ${method} != ${req.method}`);
  const path = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname;
  if (path !== req.path) problems.push(`path ${path} != ${req.path}`);
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    query[key] = all.length === 1 ? all[0]! : all;
  }
  if (!isDeepStrictEqual(query, req.query ?? {})) problems.push(`query ${JSON.stringify(query)} != ${JSON.stringify(req.query ?? {})}`);
  const text = typeof body === "string" ? body : undefined;
  if (req.json !== undefined) {
    if (!headers["content-type"]?.startsWith("application/json")) problems.push("not a JSON body");
    const got = text === undefined ? undefined : (JSON.parse(text) as unknown);
    if (!isDeepStrictEqual(got, req.json)) problems.push(`json ${text} != ${JSON.stringify(req.json)}`);
  }
  if (req.form !== undefined) {
    if (!headers["content-type"]?.startsWith("application/x-www-form-urlencoded")) problems.push("not a form body");
    const got = Object.fromEntries(new URLSearchParams(text ?? ""));
    if (!isDeepStrictEqual(got, req.form)) problems.push(`form ${JSON.stringify(got)} != ${JSON.stringify(req.form)}`);
  }
  return problems;
}
