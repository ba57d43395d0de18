import { describe, expect, it } from "vitest";
import { createApiClient, createSseParser, isApiClientError, type ApiClientError, type SseEvent } from "./api-client.js";
import { closedPort } from "./test-support.js";

const URL_ = "http://autopilot.test:8080/";

/** A fetch that records its calls and answers with `respond`. */
function fakeFetch(respond: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fn = (async (input: string | URL | Request, init: RequestInit = {}) => {
    calls.push({ url: String(input), init });
    return respond(String(input), init);
  }) as typeof fetch;
  return { fn, calls };
}

/** A fetch that never answers until its signal aborts, as a hung server would. */
const hangingFetch = (async (_input: string | URL | Request, init: RequestInit = {}) =>
  new Promise<Response>((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))))) as typeof fetch;

async function failure(promise: Promise<unknown>): Promise<ApiClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isApiClientError(error)) throw new Error(`expected an ApiClientError, got ${String(error)}`);
  return error;
}

/** A stream of the given text chunks, then (unless `hang`) its end. */
function chunks(parts: string[], hang = false): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const p of parts) controller.enqueue(encoder.encode(p));
      if (!hang) controller.close();
    },
  });
}

async function collect(stream: AsyncGenerator<SseEvent>): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

describe("createApiClient().request", () => {
  it("sends the bearer token and a JSON body to the URL without a doubled slash, and parses the answer", async () => {
    const f = fakeFetch(() => Response.json({ approval: { id: "ap_1" } }));
    const client = createApiClient({ url: URL_, token: "tok-secret", fetch: f.fn });
    const answer = await client.request<{ approval: { id: string } }>("POST", "/api/v1/approvals/ap_1/approve", { reason: "ok" });
    expect(answer.approval.id).toBe("ap_1");
    expect(f.calls[0]!.url).toBe("http://autopilot.test:8080/api/v1/approvals/ap_1/approve");
    const headers = f.calls[0]!.init.headers as Record<string, string>;
    expect(headers.authorization).toBe("Bearer tok-secret");
    expect(headers["content-type"]).toBe("application/json");
    expect(f.calls[0]!.init.body).toBe('{"reason":"ok"}');
  });

  it("sends no content type and no body on a GET", async () => {
    const f = fakeFetch(() => Response.json({ cycles: [] }));
    await createApiClient({ url: URL_, token: "t", fetch: f.fn }).request("GET", "/api/v1/cycles");
    expect(f.calls[0]!.init.body).toBeUndefined();
    expect((f.calls[0]!.init.headers as Record<string, string>)["content-type"]).toBeUndefined();
  });

  it("names AUTOPILOT_TOKEN when there is no token, and sends nothing", async () => {
    const f = fakeFetch(() => Response.json({}));
    const error = await failure(createApiClient({ url: URL_, token: undefined, fetch: f.fn }).request("GET", "/api/v1/cycles"));
    expect(error.code).toBe("no_token");
    expect(error.message).toContain("AUTOPILOT_TOKEN");
    expect(f.calls).toHaveLength(0);
  });

  it("carries the API's error code, message and status, never the token", async () => {
    const f = fakeFetch(() => Response.json({ error: { code: "forbidden", message: "this route needs the operator role; the token has viewer", details: { request_id: "r1" } } }, { status: 403 }));
    const error = await failure(createApiClient({ url: URL_, token: "tok-secret", fetch: f.fn }).request("POST", "/api/v1/approvals/ap_1/approve", {}));
    expect(error).toMatchObject({ code: "forbidden", status: 403, details: { request_id: "r1" } });
    expect(error.message).toContain("403 forbidden");
    expect(error.message).toContain("needs the operator role");
    expect(error.message).not.toContain("tok-secret");
  });

  it("keeps a non-JSON error answer's text", async () => {
    const f = fakeFetch(() => new Response("upstream proxy said no", { status: 502, statusText: "Bad Gateway" }));
    const error = await failure(createApiClient({ url: URL_, token: "t", fetch: f.fn }).request("GET", "/api/v1/cycles"));
    expect(error).toMatchObject({ code: "http_502", status: 502 });
    expect(error.message).toContain("upstream proxy said no");
  });

  it("says a 2xx answer that is not JSON is not JSON", async () => {
    const f = fakeFetch(() => new Response("<html>login</html>", { status: 200 }));
    const error = await failure(createApiClient({ url: URL_, token: "t", fetch: f.fn }).request("GET", "/api/v1/cycles"));
    expect(error.code).toBe("bad_answer");
  });

  it("names the URL when nothing listens there", async () => {
    const port = await closedPort();
    const error = await failure(createApiClient({ url: `http://127.0.0.1:${port}`, token: "t" }).request("GET", "/api/v1/cycles"));
    expect(error.code).toBe("unreachable");
    expect(error.status).toBeNull();
    expect(error.message).toContain(`http://127.0.0.1:${port}`);
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.message).toContain("AUTOPILOT_URL");
  });

  it("gives up on a server that does not answer within the timeout", async () => {
    const error = await failure(createApiClient({ url: URL_, token: "t", fetch: hangingFetch, timeoutMs: 30 }).request("GET", "/api/v1/cycles"));
    expect(error.code).toBe("timeout");
    expect(error.message).toContain("within 30 ms");
  });
});

describe("createApiClient().stream", () => {
  it("yields the events of an event stream, data parsed as JSON, across chunk boundaries", async () => {
    const body = chunks(["event: meta\ndata: {\"conversation_id\":\"c1\"}\n\n", "event: tok", "en\ndata: {\"text\":\"Hel\"}\n", "\n: keep-alive\n\nevent: done\ndata: {\"answer\":\"Hello\"}\n\n"]);
    const f = fakeFetch(() => new Response(body, { headers: { "content-type": "text/event-stream" } }));
    const events = await collect(createApiClient({ url: URL_, token: "t", fetch: f.fn }).stream("POST", "/api/v1/chat", { message: "hi" }));
    expect(events).toEqual([
      { event: "meta", data: { conversation_id: "c1" } },
      { event: "token", data: { text: "Hel" } },
      { event: "done", data: { answer: "Hello" } },
    ]);
    expect((f.calls[0]!.init.headers as Record<string, string>).accept).toBe("text/event-stream");
  });

  it("throws the API's refusal before yielding anything", async () => {
    const f = fakeFetch(() => Response.json({ error: { code: "unauthenticated", message: "the API token is unknown or revoked" } }, { status: 401 }));
    const error = await failure(collect(createApiClient({ url: URL_, token: "t", fetch: f.fn }).stream("POST", "/api/v1/chat", {})));
    expect(error).toMatchObject({ code: "unauthenticated", status: 401 });
  });

  it("gives up on a stream that goes silent for longer than the idle limit", async () => {
    const f = fakeFetch(() => new Response(chunks(["event: token\ndata: {\"text\":\"a\"}\n\n"], true)));
    const seen: SseEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const e of createApiClient({ url: URL_, token: "t", fetch: f.fn, streamIdleMs: 30 }).stream("POST", "/api/v1/chat", {})) seen.push(e);
      })(),
    );
    expect(seen).toEqual([{ event: "token", data: { text: "a" } }]);
    expect(error.code).toBe("timeout");
  });

  it("aborts the request when the caller stops reading early", async () => {
    let signal: AbortSignal | undefined;
    const f = fakeFetch((_url, init) => {
      signal = init.signal ?? undefined;
      return new Response(chunks(["data: 1\n\ndata: 2\n\n"], true));
    });
    for await (const e of createApiClient({ url: URL_, token: "t", fetch: f.fn }).stream("GET", "/api/v1/events")) {
      expect(e).toEqual({ event: "message", data: 1 });
      break;
    }
    expect(signal?.aborted).toBe(true);
  });
});

describe("createSseParser", () => {
  it("joins multi-line data, keeps plain text as a string and handles CRLF split across chunks", () => {
    const p = createSseParser();
    expect(p.push("event: note\r")).toEqual([]);
    expect(p.push("\ndata: line one\r\ndata: line two\r\n\r")).toEqual([]);
    expect(p.push("\n")).toEqual([{ event: "note", data: "line one\nline two" }]);
  });

  it("ignores comments, ids and events without data, and does not leak an event name into the next event", () => {
    const p = createSseParser();
    expect(p.push(": hello\nid: 7\nevent: ping\n\ndata: {\"a\":1}\n\n")).toEqual([{ event: "message", data: { a: 1 } }]);
  });
});
