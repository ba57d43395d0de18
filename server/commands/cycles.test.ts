import { describe, expect, it } from "vitest";
import { compactAge, cyclesTable, type CycleListItem } from "./cycles.js";

const NOW = new Date("2026-11-20T12:00:00Z");
const item = (over: Partial<CycleListItem>): CycleListItem => ({
  id: "si_2026_11_20_001",
  status: "completed",
  outcome: "promoted",
  service: "search",
  signal: "ndcg_drop",
  trigger: { alertname: "SearchRelevanceDegraded" },
  created_at: "2026-11-20T08:20:00.000Z",
  started_at: "2026-11-20T08:20:05.000Z",
  finished_at: "2026-11-20T11:20:05.000Z",
  pending_approval_id: null,
  ...over,
});

describe("cyclesTable", () => {
  it("aligns the columns and shows duration started to finished, a running one's time so far, and age since it started (created, while queued)", () => {
    const lines = cyclesTable(
      [
        item({}),
        item({ id: "si_2026_11_20_002", status: "running", outcome: null, finished_at: null, started_at: "2026-11-20T11:59:18.000Z", created_at: "2026-11-20T11:59:00.000Z" }),
        item({ id: "si_2026_11_20_003", status: "queued", outcome: null, service: null, signal: null, trigger: { manual: true }, started_at: null, finished_at: null, created_at: "2026-11-18T11:00:00.000Z" }),
        item({ id: "si_2026_11_20_004", status: "awaiting_approval", outcome: null, trigger: {}, finished_at: null, pending_approval_id: "ap_0123" }),
        // The sandbox's clock runs ahead: its created_at is hours past the wall clock, its start is not.
        item({ id: "si_2026_11_20_005", created_at: "2026-11-20T17:00:00.000Z", started_at: "2026-11-20T11:30:00.000Z", finished_at: "2026-11-20T11:30:03.000Z" }),
      ],
      NOW,
    );
    expect(lines).toEqual([
      "ID                 STATUS             OUTCOME         SERVICE  SIGNAL     TRIGGER                  DURATION  AGE",
      "si_2026_11_20_001  completed          promoted        search   ndcg_drop  SearchRelevanceDegraded  3h        3h",
      "si_2026_11_20_002  running            -               search   ndcg_drop  SearchRelevanceDegraded  42s+      42s",
      "si_2026_11_20_003  queued             -               -        -          manual                   -         2d",
      "si_2026_11_20_004  awaiting_approval  awaits ap_0123  search   ndcg_drop  -                        3h+       3h",
      "si_2026_11_20_005  completed          promoted        search   ndcg_drop  SearchRelevanceDegraded  3s        30m",
    ]);
  });
});

describe("compactAge", () => {
  it("gives a span in its largest unit, never negative", () => {
    expect([-5_000, 59_400, 60_000, 3_599_000, 3_600_000, 86_399_000, 86_400_000 * 3].map(compactAge)).toEqual(["0s", "59s", "1m", "59m", "1h", "23h", "3d"]);
  });
});
