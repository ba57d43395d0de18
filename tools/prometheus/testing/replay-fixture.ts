import { readFileSync } from "node:fs";
import { z } from "zod";
import { expect } from "vitest";

/**
 * A recorded request/response pair of an upstream API, taken from the API contract reference.
 * The client tests replay them; the sandbox's API can later be checked against the same files.
 */
export const HttpFixtureSchema = z.object({
  name: z.string(),
  /** The section of the API contract reference the pair follows. */
  source: z.string(),
  request: z.object({
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    path: z.string(),
    form: z.record(z.string(), z.string()).optional(),
    query: z.record(z.string(), z.string()).optional(),
    json: z.unknown().optional(),
  }),
  response: z.object({ status: z.number().int(), headers: z.record(z.string(), z.string()).optional(), body: z.unknown() }),
});
/** A recorded request/response pair. */
export type HttpFixture = z.infer<typeof HttpFixtureSchema>;

/** Reads and validates `fixtures/<file>` next to the calling test (`dir` is its `import.meta.url`). */
export function loadFixture(dir: string, file: string): HttpFixture {
  return HttpFixtureSchema.parse(JSON.parse(readFileSync(new URL(`./fixtures/${file}`, dir), "utf8")));
}

/** What the replaying fetch saw of one request. */
export interface SeenRequest {
  url: URL;
  method: string;
  headers: Headers;
  body: string;
}

/** A replaying fetch with what it saw. */
export type ReplayFetch = typeof fetch & {
  seen: SeenRequest[];
  /** Throws the first request mismatch, or when fixtures were left unanswered. */
  done(): void;
};

/**
 * A fetch that answers the given fixtures in order, asserting that each request matches its
 * fixture exactly (method, path under `basePath`, query, form or JSON body). A mismatch is also
 * kept for `done()`, because the HTTP client under test turns a thrown fetch into a network error.
 */
export function replayFetch(fixtures: HttpFixture[], basePath = ""): ReplayFetch {
  const queue = [...fixtures];
  const seen: SeenRequest[] = [];
  const mismatches: unknown[] = [];
  const replay = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = typeof init?.body === "string" ? init.body : "";
    const request = { url: new URL(String(input)), method: init?.method ?? "GET", headers: new Headers(init?.headers), body };
    seen.push(request);
    const fixture = queue.shift();
    if (!fixture) {
      const error = new Error(`replayFetch: unexpected request ${request.method} ${request.url.pathname}`);
      mismatches.push(error);
      throw error;
    }
    try {
      assertMatches(fixture, request, basePath);
    } catch (error) {
      mismatches.push(error);
      throw error;
    }
    const res = fixture.response;
    const text = typeof res.body === "string" ? res.body : JSON.stringify(res.body);
    return new Response(text, { status: res.status, headers: res.headers });
  };
  const done = () => {
    if (mismatches.length > 0) throw mismatches[0];
    if (queue.length > 0) throw new Error(`replayFetch: ${queue.length} fixture(s) never requested: ${queue.map((f) => f.name).join(", ")}`);
  };
  return Object.assign(replay as typeof fetch, { seen, done });
}

function assertMatches(fixture: HttpFixture, seen: SeenRequest, basePath: string): void {
  const req = fixture.request;
  expect(seen.method, fixture.name).toBe(req.method);
  expect(seen.url.pathname, fixture.name).toBe(basePath + req.path);
  expect(Object.fromEntries(seen.url.searchParams), fixture.name).toEqual(req.query ?? {});
  if (req.form) {
    expect(seen.headers.get("content-type"), fixture.name).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(seen.body)), fixture.name).toEqual(req.form);
  } else if (req.json !== undefined) {
    expect(seen.headers.get("content-type"), fixture.name).toBe("application/json");
    expect(JSON.parse(seen.body), fixture.name).toEqual(req.json);
  } else {
    expect(seen.body, fixture.name).toBe("");
  }
}
