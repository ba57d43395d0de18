import { describe, expect, it } from "vitest";
import { escapeLabelValue, PrometheusClient } from "./client.js";
import { loadFixture, replayFetch, type HttpFixture } from "./testing/replay-fixture.js";
import { rejection } from "../testing/rejection.js";

const BASE = "http://prometheus.test/prometheus";
const AT = new Date("2026-08-01T12:00:00.000Z");
const fixture = (file: string) => loadFixture(import.meta.url, file);

function clientFor(fixtures: HttpFixture[], options: { retries?: number; headers?: Record<string, string> } = {}) {
  const fetch = replayFetch(fixtures, "/prometheus");
  const client = new PrometheusClient({ baseUrl: BASE, fetch, backoffMs: 1, retries: options.retries ?? 0, headers: options.headers });
  return { client, fetch };
}

describe("PrometheusClient against the recorded fixtures", () => {
  it("posts an instant query as a form and reads a vector", async () => {
    const f = fixture("query-vector.json");
    const { client, fetch } = clientFor([f]);
    const samples = await client.query(f.request.form!.query!, { time: AT });
    fetch.done();
    expect(samples).toEqual([
      { metric: { __name__: "search:ndcg_at_10", service: "search", variant: "all" }, timestamp: 1785585600, value: 0.652 },
    ]);
  });

  it("reads a matrix, parsing NaN, +Inf and exponent notation with Number()", async () => {
    const f = fixture("query-range-matrix.json");
    const { client, fetch } = clientFor([f]);
    const series = await client.queryRange(f.request.form!.query!, {
      start: new Date("2026-08-01T11:57:00.000Z"),
      end: AT,
      stepSeconds: 60,
    });
    fetch.done();
    expect(series).toHaveLength(2);
    expect(series[0]!.metric.variant).toBe("candidate");
    const values = series[0]!.values.map((p) => p.value);
    expect(values[0]).toBeNaN();
    expect(values.slice(1)).toEqual([0.41, Infinity, 0.42]);
    expect(series[1]!.values.map((p) => p.timestamp)).toEqual([1785585420, 1785585480, 1785585540, 1785585600]);
  });

  it("turns a scalar into one sample with an empty metric", async () => {
    const f = fixture("query-scalar.json");
    const { client } = clientFor([f]);
    expect(await client.query(f.request.form!.query!, { time: AT })).toEqual([{ metric: {}, timestamp: 1785585600, value: 0.42 }]);
  });

  it("maps bad_data 400 to '<errorType>: <error>' without retrying", async () => {
    const f = fixture("query-bad-data-400.json");
    const { client, fetch } = clientFor([f], { retries: 2 });
    const error = await rejection(client.query(f.request.form!.query!, { time: AT }));
    fetch.done();
    expect(fetch.seen).toHaveLength(1);
    expect(error.system).toBe("prometheus");
    expect(error.request).toBe("POST /api/v1/query");
    expect(error.status).toBe(400);
    expect(error.retryable).toBe(false);
    expect(error.upstreamMessage).toBe('bad_data: invalid parameter "query": 1:22: parse error: unclosed left parenthesis');
    expect(error.message).toContain("answered 400: bad_data:");
  });

  it("maps execution 422 without retrying", async () => {
    const f = fixture("query-execution-422.json");
    const { client, fetch } = clientFor([f], { retries: 2 });
    const error = await rejection(client.query(f.request.form!.query!, { time: AT }));
    expect(fetch.seen).toHaveLength(1);
    expect(error.status).toBe(422);
    expect(error.upstreamMessage).toMatch(/^execution: found duplicate series for the match group/);
  });

  it("retries the plain-text 503 ready page and reports its text", async () => {
    const f = fixture("query-not-ready-503.json");
    const { client, fetch } = clientFor([f, f, f], { retries: 2 });
    const error = await rejection(client.query(f.request.form!.query!, { time: AT }));
    fetch.done();
    expect(fetch.seen).toHaveLength(3);
    expect(error.status).toBe(503);
    expect(error.retryable).toBe(true);
    expect(error.code).toBe("upstream_server_error");
    expect(error.upstreamMessage).toBe("Service Unavailable");
  });

  it("succeeds when a 503 is followed by an answer", async () => {
    const { client, fetch } = clientFor([fixture("query-not-ready-503.json"), fixture("query-vector.json")], { retries: 1 });
    const samples = await client.query('search:ndcg_at_10{service="search",variant=~"all|"}', { time: AT });
    fetch.done();
    expect(samples[0]?.value).toBe(0.652);
  });
});

describe("PrometheusClient transport", () => {
  const ok = JSON.stringify({ status: "success", data: { resultType: "vector", result: [] } });

  it("retries network errors, then gives up naming the request", async () => {
    let calls = 0;
    const fetch = (async () => {
      calls++;
      throw new TypeError("fetch failed: ECONNREFUSED");
    }) as typeof globalThis.fetch;
    const client = new PrometheusClient({ baseUrl: BASE, fetch, retries: 2, backoffMs: 1 });
    const error = await rejection(client.query("up"));
    expect(calls).toBe(3);
    expect(error.code).toBe("upstream_unreachable");
    expect(error.message).toContain("POST /api/v1/query");
    expect(error.message).toContain("ECONNREFUSED");
  });

  it("times out a request that never answers, and retries it", async () => {
    let calls = 0;
    const fetch = ((_url: unknown, init?: RequestInit) => {
      calls++;
      return new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
    }) as typeof globalThis.fetch;
    const client = new PrometheusClient({ baseUrl: BASE, fetch, timeoutMs: 20, retries: 1, backoffMs: 1 });
    const error = await rejection(client.query("up"));
    expect(calls).toBe(2);
    expect(error.code).toBe("upstream_timeout");
    expect(error.retryable).toBe(true);
  });

  it("maps a status 'error' envelope even on a 200", async () => {
    const body = JSON.stringify({ status: "error", errorType: "timeout", error: "query timed out in expression evaluation" });
    const fetch = (async () => new Response(body, { status: 200 })) as typeof globalThis.fetch;
    const error = await rejection(new PrometheusClient({ baseUrl: BASE, fetch }).query("up"));
    expect(error.upstreamMessage).toBe("timeout: query timed out in expression evaluation");
  });

  it("refuses a non-matrix answer to a range query", async () => {
    const fetch = (async () => new Response(ok, { status: 200 })) as typeof globalThis.fetch;
    const client = new PrometheusClient({ baseUrl: BASE, fetch });
    const error = await rejection(client.queryRange("up", { start: AT, end: AT, stepSeconds: 60 }));
    expect(error.code).toBe("upstream_invalid_response");
  });

  it("sends configured headers but never puts their values in errors", async () => {
    const secret = "Bearer s3cr3t-proxy-token";
    const f = fixture("query-bad-data-400.json");
    const { client, fetch } = clientFor([f], { headers: { authorization: secret } });
    const error = await rejection(client.query(f.request.form!.query!, { time: AT }));
    expect(fetch.seen[0]?.headers.get("authorization")).toBe(secret);
    const text = `${error.message} ${JSON.stringify(error.details)} ${error.upstreamMessage}`;
    expect(text).not.toContain("s3cr3t");
  });
});

describe("escapeLabelValue", () => {
  it("keeps a hostile value inside its string literal", () => {
    const hostile = 'search"} or vector(1) or x{a="\\';
    const literal = `"${escapeLabelValue(hostile)}"`;
    // Unescaping the literal the way PromQL does gives the value back, and no quote closes it early.
    expect(JSON.parse(literal)).toBe(hostile);
    expect(escapeLabelValue("a\nb")).toBe("a\\nb");
    expect(escapeLabelValue("search")).toBe("search");
  });
});
