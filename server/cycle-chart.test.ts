import { describe, expect, it } from "vitest";
import { anomalyFinding, chartMarks } from "./cycle-chart.js";
import { cycleRows } from "./testing/cycle-audit-fixture.js";

describe("chartMarks", () => {
  it("marks the alert at its start, each successful deploy and rollback once, and human decisions", () => {
    const marks = chartMarks(cycleRows());
    expect(marks.map((m) => [m.kind, m.t])).toEqual([
      ["alert", "2026-11-20T07:50:00.000Z"],
      ["approval", "2026-11-20T08:07:00.000Z"],
      ["deploy", "2026-11-20T08:09:00.000Z"],
      // The Git restore a minute later belongs to the same rollback.
      ["rollback", "2026-11-20T08:11:00.000Z"],
    ]);
    expect(marks[1]!.label).toBe("approved by olivia");
    expect(marks[2]!.label).toBe("search synced to 8362b60");
  });

  it("reads the flagged points of an anomaly finding, and nothing when there is none", () => {
    const finding = { anomalies: { window: { start: "2026-11-20T02:00:00.000Z" }, flagged: [{ at: "2026-11-20T02:26:00.000Z", value: 0.61, score: 0.66 }] } };
    expect(anomalyFinding(finding)).toEqual({ windowStart: "2026-11-20T02:00:00.000Z", flagged: [{ t: "2026-11-20T02:26:00.000Z", v: 0.61, score: 0.66 }] });
    expect(anomalyFinding(undefined)).toEqual({ windowStart: null, flagged: [] });
  });
});
