import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LATENCY_BUCKETS } from "../world/latency.js";
import { startSandbox, type RunningSandbox } from "../test-support.js";

type Vector = { metric: Record<string, string>; value: [number, string] }[];
type Matrix = { metric: Record<string, string>; values: [number, string][] }[];

let s: RunningSandbox;
const START = Date.parse("2026-11-20T08:00:00Z");

async function query(expr: string, time?: number): Promise<Vector> {
  const t = time === undefined ? "" : `&time=${time / 1000}`;
  const { status, body } = await s.json(`/prometheus/api/v1/query?query=${encodeURIComponent(expr)}${t}`);
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body.status).toBe("success");
  expect(body.data.resultType).toBe("vector");
  return body.data.result as Vector;
}

async function one(expr: string, time?: number): Promise<number> {
  const result = await query(expr, time);
  expect(result, expr).toHaveLength(1);
  return Number(result[0]!.value[1]);
}

beforeAll(async () => {
  s = await startSandbox("ndcg-drop");
  s.clock.advance(30 * 60_000); // the corpus shift happened at 10m
});
afterAll(() => s.close());

describe("series values", () => {
  it("lowers NDCG on the shifted topics and the aggregate more than 3 % under its baseline", async () => {
    const value = await one('search:ndcg_at_10{service="search",variant="all"}');
    const baseline = await one('search:ndcg_at_10:baseline{service="search"}');
    expect(baseline).toBe(0.72);
    expect(value).toBeLessThan(baseline * 0.97);
    expect(value).toBeGreaterThan(baseline * 0.9);
  });

  it("shows the weak topics in the breakdown", async () => {
    const topics = await query('search_topic:ndcg_at_10{service="search"}');
    const baselines = await query('search_topic:ndcg_at_10:baseline{service="search"}');
    expect(topics).toHaveLength(6);
    const weak = topics
      .filter((r) => {
        const base = Number(baselines.find((b) => b.metric.topic === r.metric.topic)!.value[1]);
        return Number(r.value[1]) < base * 0.9;
      })
      .map((r) => r.metric.topic)
      .sort();
    expect(weak).toEqual(["sports", "travel"]);
    const travel = Number(topics.find((r) => r.metric.topic === "travel")!.value[1]);
    expect(travel).toBeCloseTo(0.72 * 0.82, 2);
  });

  it("reports pre-incident values before the shift", async () => {
    expect(await one('search:ndcg_at_10{variant="all"}', START + 5 * 60_000)).toBeCloseTo(0.72, 2);
    expect(await one('search_topic:recall_at_20{topic="travel"}', START + 5 * 60_000)).toBeCloseTo(0.86, 2);
    expect(await one('search_topic:recall_at_20{topic="travel"}')).toBeCloseTo(0.86 * (1 - 0.09), 2);
  });

  it("serves every recording rule of the metric table", async () => {
    for (const name of [
      "search:recall_at_20:baseline",
      "search_topic:recall_at_20:baseline",
      "search:latency_p95_seconds:baseline",
      "search:error_rate",
      "search:cost_per_1k_requests_usd",
      "search:cost_budget_ratio",
      "etl:backlog_seconds",
      "search:user_satisfaction",
    ]) {
      expect((await query(`${name}{service="search"}`)).length, name).toBeGreaterThan(0);
    }
    const stages = await query("search_stage:latency_p95_seconds");
    expect(stages.map((r) => r.metric.stage).sort()).toEqual(["rerank", "retrieve"]);
    const processors = await query("etl_processor:backlog_seconds");
    expect(Math.max(...processors.map((r) => Number(r.value[1])))).toBeCloseTo(await one("etl:backlog_seconds"), 0);
    expect(await one("search:cost_budget_ratio")).toBeCloseTo(0.55, 2);
  });

  it("adds small deterministic noise that never exceeds 0.3 %", async () => {
    const a = await one('search_topic:ndcg_at_10{topic="books"}');
    const b = await one('search_topic:ndcg_at_10{topic="books"}');
    expect(a).toBe(b);
    expect(Math.abs(a / 0.72 - 1)).toBeLessThanOrEqual(0.003);
    expect(a).not.toBe(0.72);
  });
});

describe("PromQL subset", () => {
  it("selects with =, !=, =~ and !~", async () => {
    expect(await query('search:ndcg_at_10{variant="champion"}')).toHaveLength(1);
    expect((await query('search:ndcg_at_10{variant!="all"}')).map((r) => r.metric.variant)).toEqual(["champion"]);
    expect((await query('search_topic:ndcg_at_10{topic=~"tra.*|sports"}')).map((r) => r.metric.topic).sort()).toEqual(["sports", "travel"]);
    expect(await query('search_topic:ndcg_at_10{topic!~"tra.*|sports"}')).toHaveLength(4);
    expect(await query('{__name__=~"search_topic:ndcg_at_10.*", topic="home"}')).toHaveLength(2);
  });

  it("matches series without a label with a regex that accepts the empty value", async () => {
    expect(await query('search_topic:ndcg_at_10{service="search",variant=~"all|"}')).toHaveLength(6);
    expect(await query('search_topic:ndcg_at_10{variant=""}')).toHaveLength(6);
    expect(await query('search:ndcg_at_10{variant=~"all|"}')).toHaveLength(1);
    expect(await query('search_topic:ndcg_at_10{variant=~"all"}')).toHaveLength(0);
  });

  it("aggregates with sum, avg, min, max and count by labels", async () => {
    const topics = (await query("search_topic:ndcg_at_10")).map((r) => Number(r.value[1]));
    expect(await one("avg(search_topic:ndcg_at_10)")).toBeCloseTo(topics.reduce((a, b) => a + b) / 6, 10);
    expect(await one("min(search_topic:ndcg_at_10)")).toBe(Math.min(...topics));
    expect(await one("max by (service) (search_topic:ndcg_at_10)")).toBe(Math.max(...topics));
    expect(await one("count(search_topic:ndcg_at_10)")).toBe(6);
    const byVariant = await query('sum by (variant) (search_ndcg_at_10{service="search"})');
    expect(byVariant.map((r) => r.metric)).toEqual(expect.arrayContaining([{ variant: "champion" }, { variant: "all" }]));
    const postfix = await query("sum(search_ndcg_at_10) by (topic)");
    expect(postfix).toHaveLength(6);
    expect(Object.keys(postfix[0]!.metric)).toEqual(["topic"]);
  });

  it("computes rate over counters and the traffic it implies", async () => {
    expect(await one('sum(rate(search_requests_total{service="search"}[5m]))')).toBeCloseTo(120, 6);
    const errors = await one("sum(rate(search_request_errors_total[5m])) ");
    expect(errors / 120).toBeCloseTo(0.004, 4);
  });

  it("agrees with the p95 series within a bucket through histogram_quantile", async () => {
    const p95 = await one('search:latency_p95_seconds{service="search",variant="all"}');
    const fromHistogram = await one('histogram_quantile(0.95, sum by (le) (rate(search_request_duration_seconds_bucket{service="search"}[5m])))');
    const bucket = (v: number) => LATENCY_BUCKETS.findIndex((le) => v <= le);
    expect(bucket(fromHistogram)).toBe(bucket(p95));
    const byVariant = await query("histogram_quantile(0.95, sum by (le, variant) (rate(search_request_duration_seconds_bucket[5m])))");
    expect(byVariant.map((r) => r.metric)).toEqual([{ variant: "champion" }]);
  });

  it("answers plain numbers as scalars", async () => {
    const { body } = await s.json("/prometheus/api/v1/query?query=42");
    expect(body.data.resultType).toBe("scalar");
    expect(body.data.result[1]).toBe("42");
  });

  it("accepts form-encoded POST", async () => {
    const { status, body } = await s.json("/prometheus/api/v1/query", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ query: 'search:ndcg_at_10{variant="all"}' }).toString(),
    });
    expect(status).toBe(200);
    expect(body.data.result).toHaveLength(1);
  });

  it.each([
    ["search:ndcg_at_10 / search:ndcg_at_10:baseline", 'binary operator "/"'],
    ["avg_over_time(search:ndcg_at_10[1h])", "function avg_over_time()"],
    ["sum without (variant) (search:ndcg_at_10)", "aggregation without"],
    ["search:ndcg_at_10 offset 1h", "offset modifier"],
    ["topk(3, search_topic:ndcg_at_10)", "aggregation topk"],
    ["search:ndcg_at_10[5m]", "range vector outside rate()"],
  ])("answers 400 bad_data for the unsupported %s", async (expr, what) => {
    const { status, body } = await s.json(`/prometheus/api/v1/query?query=${encodeURIComponent(expr)}`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ status: "error", errorType: "bad_data" });
    expect(body.error.startsWith("the sandbox does not support: ")).toBe(true);
    expect(body.error).toContain(what);
  });

  it("answers 400 bad_data for parse errors and 422 for execution errors", async () => {
    const parse = await s.json(`/prometheus/api/v1/query?query=${encodeURIComponent("sum(search:ndcg_at_10")}`);
    expect(parse.status).toBe(400);
    expect(parse.body.error).toMatch(/^invalid parameter "query": 1:\d+: parse error/);
    const empty = await s.json(`/prometheus/api/v1/query?query=${encodeURIComponent('{variant=~"all|"}')}`);
    expect(empty.body.error).toMatch(/at least one non-empty matcher/);
    const missing = await s.json("/prometheus/api/v1/query");
    expect(missing.status).toBe(400);
    const duplicate = await s.json(`/prometheus/api/v1/query?query=${encodeURIComponent('rate({__name__=~"search_request.*_total"}[5m])')}`);
    expect(duplicate.status).toBe(422);
    expect(duplicate.body).toMatchObject({ status: "error", errorType: "execution", error: "vector cannot contain metrics with the same labelset" });
  });

  it("serves readiness and build info", async () => {
    const ready = await fetch(`${s.url}/prometheus/-/ready`);
    expect(ready.status).toBe(200);
    const { body } = await s.json("/prometheus/api/v1/status/buildinfo");
    expect(body.data.version).toMatch(/^3\./);
  });
});

describe("range queries", () => {
  it("return the past: baseline before the shift, the drop after", async () => {
    const params = new URLSearchParams({ query: 'search_topic:ndcg_at_10{topic="travel"}', start: String(START / 1000), end: String((START + 30 * 60_000) / 1000), step: "60s" });
    const { status, body } = await s.json(`/prometheus/api/v1/query_range?${params}`);
    expect(status).toBe(200);
    expect(body.data.resultType).toBe("matrix");
    const values = (body.data.result as Matrix)[0]!.values;
    expect(values).toHaveLength(31);
    expect(values[0]![0]).toBe(START / 1000);
    for (const [t, v] of values) {
      const expected = t * 1000 < START + 10 * 60_000 ? 0.72 : 0.72 * 0.82;
      expect(Math.abs(Number(v) / expected - 1), `at ${t}`).toBeLessThanOrEqual(0.003);
    }
  });

  it("take RFC 3339 times and durations, and stop at the simulated now", async () => {
    const params = new URLSearchParams({ query: "search:ndcg_at_10:baseline", start: "2026-11-20T08:20:00Z", end: "2026-11-20T09:00:00Z", step: "5m" });
    const { body } = await s.json(`/prometheus/api/v1/query_range?${params}`);
    const times = (body.data.result as Matrix)[0]!.values.map(([t]) => new Date(t * 1000).toISOString());
    expect(times).toEqual(["2026-11-20T08:20:00.000Z", "2026-11-20T08:25:00.000Z", "2026-11-20T08:30:00.000Z"]);
  });

  it("reject bad ranges", async () => {
    const backwards = await s.json(`/prometheus/api/v1/query_range?${new URLSearchParams({ query: "1", start: "200", end: "100", step: "1" })}`);
    expect(backwards.status).toBe(400);
    const tooMany = await s.json(`/prometheus/api/v1/query_range?${new URLSearchParams({ query: "1", start: "0", end: "100000", step: "1" })}`);
    expect(tooMany.body.error).toMatch(/11,000 points/);
    const noStep = await s.json(`/prometheus/api/v1/query_range?${new URLSearchParams({ query: "1", start: "0", end: "10" })}`);
    expect(noStep.body).toMatchObject({ errorType: "bad_data" });
  });
});

describe("/metrics", () => {
  it("is valid text exposition format 0.0.4, line by line", async () => {
    const response = await fetch(`${s.url}/metrics`);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await response.text();
    expect(text.endsWith("\n")).toBe(true);
    const types = new Map<string, string>();
    const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
    for (const line of text.trimEnd().split("\n")) {
      const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$/.exec(line);
      const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (\S+)$/.exec(line);
      if (type) types.set(type[1]!, type[2]!);
      else if (sample) {
        const labels = Object.fromEntries([...(sample[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
        const value = sample[3] === "+Inf" ? Infinity : Number(sample[3]);
        expect(Number.isNaN(value), line).toBe(false);
        samples.push({ name: sample[1]!, labels, value });
      } else expect(help, `unparseable line: ${line}`).not.toBeNull();
    }
    expect(types.get("search_request_duration_seconds")).toBe("histogram");
    expect(types.get("search_requests_total")).toBe("counter");
    expect(types.get("search_ndcg_at_10")).toBe("gauge");
    for (const sample of samples) {
      const family = sample.name.replace(/_(bucket|sum|count)$/, "");
      expect(types.has(sample.name) || types.get(family) === "histogram", sample.name).toBe(true);
    }
    const buckets = samples.filter((x) => x.name === "search_request_duration_seconds_bucket");
    expect(buckets.map((b) => b.labels.le)).toEqual([...LATENCY_BUCKETS.map(String), "+Inf"]);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    const count = samples.find((x) => x.name === "search_request_duration_seconds_count")!.value;
    expect(buckets.at(-1)!.value).toBeCloseTo(count, 6);
    expect(samples.find((x) => x.name === "search_requests_total")!.value).toBeCloseTo(count, 6);
    expect(samples.filter((x) => x.name === "search_ndcg_at_10" && x.labels.variant === "champion")).toHaveLength(6);
    expect(samples.find((x) => x.name === "etl_backlog_seconds" && x.labels.processor === "embed")!.value).toBeCloseTo(12, 0);
  });
});
