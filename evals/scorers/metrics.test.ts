import { describe, expect, it } from "vitest";
import { scoreMetrics } from "./metrics.js";
import { run } from "./test-support.js";

describe("scoreMetrics", () => {
  it("checks each bound on the final metrics and names a metric the run did not report", () => {
    const r = run({ outcome: "promoted" }, [], { finalMetrics: { ndcg_at_10: 0.74, latency_p95_seconds: 1.2, error_rate: Number.NaN } });
    expect(scoreMetrics(r, { ndcg_at_10: { min: 0.7 } }).passed).toBe(true);
    const result = scoreMetrics(r, { ndcg_at_10: { min: 0.7, max: 0.8 }, latency_p95_seconds: { max: 1 }, error_rate: { max: 0.02 }, recall_at_20: { min: 0.8 } });
    expect(result.passed).toBe(false);
    expect(result.detail).toBe(
      "ndcg_at_10 0.74 within 0.7..0.8; latency_p95_seconds 1.2 outside -inf..1; error_rate not reported outside -inf..0.02; recall_at_20 not reported outside 0.8..+inf",
    );
  });
});
