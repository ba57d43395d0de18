import { describe, expect, it } from "vitest";
import { bucketQuantile } from "./evaluate.js";
import { matchValue, parsePromql, PromqlParseError, PromqlUnsupportedError } from "./parser.js";

describe("parsePromql", () => {
  it("parses the histogram_quantile shape the recording rules use", () => {
    expect(parsePromql('histogram_quantile(0.95, sum by (le, variant) (rate(search_request_duration_seconds_bucket{service="search"}[5m])))')).toEqual({
      type: "histogram_quantile",
      phi: 0.95,
      expr: {
        type: "aggregate",
        op: "sum",
        by: ["le", "variant"],
        expr: {
          type: "rate",
          selector: {
            type: "selector",
            rangeMs: 300_000,
            matchers: [
              { name: "__name__", op: "=", value: "search_request_duration_seconds_bucket" },
              { name: "service", op: "=", value: "search" },
            ],
          },
        },
      },
    });
  });

  it("reads metric names with colons, single-quoted strings, trailing commas and negative numbers", () => {
    expect(parsePromql("search:ndcg_at_10:baseline{service='search',}")).toEqual({
      type: "selector",
      rangeMs: null,
      matchers: [
        { name: "__name__", op: "=", value: "search:ndcg_at_10:baseline" },
        { name: "service", op: "=", value: "search" },
      ],
    });
    expect(parsePromql("-1.5")).toEqual({ type: "number", value: -1.5 });
  });

  it("separates unsupported PromQL from invalid input", () => {
    expect(() => parsePromql("a == b")).toThrow(PromqlUnsupportedError);
    expect(() => parsePromql("a != b")).toThrow(PromqlUnsupportedError);
    expect(() => parsePromql("rate(a[5m:1m])")).toThrow(PromqlUnsupportedError);
    expect(() => parsePromql("rate(a)")).toThrow(/expected type range vector/);
    expect(() => parsePromql('a{b=~"("}')).toThrow(PromqlParseError);
    expect(() => parsePromql("a{b}")).toThrow(PromqlParseError);
    expect(() => parsePromql("sum(a")).toThrow(PromqlParseError);
  });

  it("anchors regex matchers and treats a missing label as empty", () => {
    expect(matchValue({ name: "v", op: "=~", value: "all|" }, "")).toBe(true);
    expect(matchValue({ name: "v", op: "=~", value: "all" }, "allx")).toBe(false);
    expect(matchValue({ name: "v", op: "!~", value: "c.*" }, "champion")).toBe(false);
  });
});

describe("bucketQuantile", () => {
  const buckets = [
    { le: 0.1, count: 10 },
    { le: 0.5, count: 60 },
    { le: 1, count: 90 },
    { le: Infinity, count: 100 },
  ];

  it("interpolates inside the bucket the rank falls in", () => {
    expect(bucketQuantile(0.5, buckets)).toBeCloseTo(0.1 + 0.4 * (40 / 50), 10);
    expect(bucketQuantile(0.05, buckets)).toBeCloseTo(0.05, 10);
  });

  it("follows Prometheus at the edges", () => {
    expect(bucketQuantile(0.95, buckets)).toBe(1); // the top bucket returns the second-highest bound
    expect(bucketQuantile(-0.1, buckets)).toBe(-Infinity);
    expect(bucketQuantile(1.1, buckets)).toBe(Infinity);
    expect(bucketQuantile(0.5, buckets.slice(0, 3))).toBeNaN(); // no +Inf bucket
    expect(bucketQuantile(0.5, [{ le: 1, count: 0 }, { le: Infinity, count: 0 }])).toBeNaN();
  });
});
