import { describe, expect, it } from "vitest";
import { DiagnosisFinding } from "../../core/index.js";
import { queryBreakdownTool } from "./query-breakdown.js";
import { constantSeries, fakePrometheusPerTest } from "./testing/setup.js";

const START = new Date("2026-08-01T12:00:00.000Z");
const setup = fakePrometheusPerTest(START);

const topic = (name: string, topicName: string, value: number, service = "search") =>
  constantSeries({ __name__: name, service, topic: topicName }, value);
const SERIES = [
  topic("search_topic:ndcg_at_10", "sports", 0.6),
  topic("search_topic:ndcg_at_10", "finance", 0.69),
  topic("search_topic:ndcg_at_10", "news", 0.55),
  topic("search_topic:ndcg_at_10", "travel", 0.75),
  topic("search_topic:ndcg_at_10", "music", 0.4),
  topic("search_topic:ndcg_at_10", "sports", 0.1, "other-service"),
  topic("search_topic:ndcg_at_10:baseline", "sports", 0.7),
  topic("search_topic:ndcg_at_10:baseline", "finance", 0.7),
  topic("search_topic:ndcg_at_10:baseline", "news", 0.71),
  topic("search_topic:ndcg_at_10:baseline", "travel", 0.72),
];

describe("prometheus_query_breakdown", () => {
  it("joins topics with their baselines, marks weak ones and sorts them worst first", async () => {
    const { ctx, fake } = await setup(SERIES);
    const outcome = await queryBreakdownTool.run(queryBreakdownTool.input.parse({ signal: "ndcg_drop", service: "search" }), ctx);
    expect(outcome.status).toBe("success");
    if (outcome.status !== "success") return;
    const data = DiagnosisFinding.parse(outcome.data);
    expect(data.metric).toBe("search_topic:ndcg_at_10");
    expect(data.by).toBe("topic");
    expect(data.segments.map((s) => s.label)).toEqual(["news", "sports", "finance", "travel", "music"]);
    expect(data.weak_segments).toEqual(["news", "sports"]);
    const news = data.segments[0]!;
    expect(news).toMatchObject({ value: 0.55, baseline: 0.71, weak: true });
    expect(news.relative_change).toBeCloseTo((0.55 - 0.71) / 0.71, 9);
    expect(data.segments[4]).toEqual({ label: "music", value: 0.4, baseline: null, relative_change: null, weak: false });
    expect(outcome.summary).toBe(
      "NDCG@10 of search by topic: 2 of 5 segments weak (news -22.5%, sports -14.3%) at a 3% drop against the baseline",
    );
    expect(fake.requests.map((r) => r.params.query)).toEqual([
      'search_topic:ndcg_at_10{service="search",variant=~"all|"}',
      'search_topic:ndcg_at_10:baseline{service="search"}',
    ]);
  });

  it("writes a markdown diagnostic report with the table, the queries and the time", async () => {
    const { ctx } = await setup(SERIES);
    const outcome = await queryBreakdownTool.run(queryBreakdownTool.input.parse({ signal: "ndcg_drop", service: "search" }), ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    expect(outcome.artifacts).toHaveLength(1);
    const artifact = outcome.artifacts![0]!;
    expect(artifact).toMatchObject({ kind: "diagnostic_report", name: "diagnosis-ndcg_drop.md", mediaType: "text/markdown" });
    expect(artifact.content).toContain("| topic | value | baseline | change | weak |");
    expect(artifact.content).toContain("| news | 0.550 | 0.710 | -22.5% | **weak** |");
    expect(artifact.content).toContain("| finance | 0.690 | 0.700 | -1.4% |  |");
    expect(artifact.content).toContain('search_topic:ndcg_at_10:baseline{service="search"}');
    expect(artifact.content).toContain(`at ${START.toISOString()}`);
  });

  it("honours weak_fraction", async () => {
    const { ctx } = await setup(SERIES);
    const outcome = await queryBreakdownTool.run(queryBreakdownTool.input.parse({ signal: "ndcg_drop", service: "search", weak_fraction: 0.2 }), ctx);
    expect(outcome.status === "success" && outcome.data.weak_segments).toEqual(["news"]);
  });

  it("marks rises as weak for a lower-is-better signal, with the 5% default for absolute rules", async () => {
    const { ctx } = await setup([
      constantSeries({ __name__: "search_stage:latency_p95_seconds", service: "search", stage: "rerank" }, 0.6),
      constantSeries({ __name__: "search_stage:latency_p95_seconds", service: "search", stage: "retrieve" }, 0.104),
      constantSeries({ __name__: "search_stage:latency_p95_seconds:baseline", service: "search", stage: "rerank" }, 0.3),
      constantSeries({ __name__: "search_stage:latency_p95_seconds:baseline", service: "search", stage: "retrieve" }, 0.1),
    ]);
    const outcome = await queryBreakdownTool.run(queryBreakdownTool.input.parse({ signal: "latency_p95", service: "search", by: "stage" }), ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    expect(outcome.data.segments.map((s) => [s.label, s.weak])).toEqual([
      ["rerank", true],
      ["retrieve", false],
    ]);
  });

  it("answers no_data naming the query when no series carries the label", async () => {
    const { ctx } = await setup(SERIES);
    const outcome = await queryBreakdownTool.run(queryBreakdownTool.input.parse({ signal: "recall_drop", service: "search" }), ctx);
    expect(outcome.status).toBe("no_data");
    expect(outcome.summary).toContain('search_topic:recall_at_20{service="search",variant=~"all|"}');
  });

  it("rejects a label name that is not a Prometheus label", () => {
    expect(queryBreakdownTool.input.safeParse({ signal: "ndcg_drop", service: "search", by: 'topic"}' }).success).toBe(false);
  });
});
