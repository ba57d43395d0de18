import { describe, expect, it } from "vitest";
import { prometheusTools } from "./toolset.js";

describe("prometheusTools", () => {
  it("holds the eight catalog tools, all read-only, idempotent and open-world", () => {
    expect(prometheusTools.map((t) => [t.name, t.finding ?? null])).toEqual([
      ["prometheus_get_signal", "monitor"],
      ["prometheus_query_breakdown", "diagnosis"],
      ["prometheus_query_instant", null],
      ["prometheus_query_range", null],
      ["prometheus_detect_anomalies", "anomalies"],
      ["prometheus_check_detector_drift", "monitor"],
      ["prometheus_compare_variants", "ab_test"],
      ["prometheus_watch_signal", "watch"],
    ]);
    for (const tool of prometheusTools) {
      expect(tool.system).toBe("prometheus");
      expect(tool.flags).toEqual({ readOnly: true, destructive: false, idempotent: true, openWorld: true });
    }
  });

  it("gives the waiting tools a timeout covering the default window plus 10 minutes", () => {
    const timeout = (name: string) => prometheusTools.find((t) => t.name === name)?.timeoutMs;
    expect(timeout("prometheus_compare_variants")).toBe((60 + 10) * 60_000);
    expect(timeout("prometheus_watch_signal")).toBe((120 + 10) * 60_000);
  });
});
