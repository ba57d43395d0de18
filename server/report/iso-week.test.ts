import { describe, expect, it } from "vitest";
import { isIsoWeekError, isoWeekOf, lastIsoWeeks, parseIsoWeek, weeksInIsoYear } from "./iso-week.js";

const d = (iso: string) => new Date(iso);

describe("isoWeekOf", () => {
  it("puts Monday 00:00 and Sunday 23:59:59.999 UTC in the same week", () => {
    expect(isoWeekOf(d("2026-11-16T00:00:00.000Z")).label).toBe("2026-W47");
    expect(isoWeekOf(d("2026-11-22T23:59:59.999Z")).label).toBe("2026-W47");
    expect(isoWeekOf(d("2026-11-23T00:00:00.000Z")).label).toBe("2026-W48");
    expect(isoWeekOf(d("2026-11-20T08:20:00.000Z"))).toEqual({ label: "2026-W47", start: d("2026-11-16T00:00:00.000Z"), end: d("2026-11-23T00:00:00.000Z") });
  });

  it("gives the first days of January to the previous ISO year when their Thursday is in December", () => {
    // 1 January 2027 is a Friday: its week is 2026's week 53.
    expect(isoWeekOf(d("2027-01-01T12:00:00Z")).label).toBe("2026-W53");
    expect(isoWeekOf(d("2027-01-04T00:00:00Z")).label).toBe("2027-W01");
    // 29 December 2025 is a Monday whose Thursday is 1 January 2026.
    expect(isoWeekOf(d("2025-12-29T00:00:00Z")).label).toBe("2026-W01");
  });
});

describe("parseIsoWeek", () => {
  it("gives Monday 00:00 UTC to the next Monday", () => {
    expect(parseIsoWeek("2026-W47")).toEqual({ label: "2026-W47", start: d("2026-11-16T00:00:00Z"), end: d("2026-11-23T00:00:00Z") });
    expect(parseIsoWeek("2026-W01").start).toEqual(d("2025-12-29T00:00:00Z"));
    expect(parseIsoWeek("2026-W53").start).toEqual(d("2026-12-28T00:00:00Z"));
  });

  it("round-trips with isoWeekOf over several years", () => {
    for (let t = d("2020-01-01T00:00:00Z").getTime(); t < d("2030-01-01T00:00:00Z").getTime(); t += 5 * 86_400_000) {
      const week = isoWeekOf(new Date(t));
      expect(parseIsoWeek(week.label)).toEqual(week);
    }
  });

  it("names what is wrong with a bad label", () => {
    const problem = (label: string) => {
      try {
        parseIsoWeek(label);
      } catch (e) {
        if (isIsoWeekError(e)) return e.message;
      }
      return "no error";
    };
    expect(problem("2026-47")).toContain("write YYYY-Www");
    expect(problem("2026-W7")).toContain("write YYYY-Www");
    expect(problem("2026-W00")).toContain("2026 has weeks W01 to W53");
    expect(problem("2025-W53")).toContain("2025 has weeks W01 to W52");
  });
});

describe("weeksInIsoYear and lastIsoWeeks", () => {
  it("counts 53 weeks in long years only", () => {
    expect([2020, 2025, 2026, 2027].map(weeksInIsoYear)).toEqual([53, 52, 53, 52]);
  });

  it("lists the weeks ending with the current one, oldest first, across a year's end", () => {
    expect(lastIsoWeeks(d("2027-01-06T10:00:00Z"), 3).map((w) => w.label)).toEqual(["2026-W52", "2026-W53", "2027-W01"]);
    expect(lastIsoWeeks(d("2027-01-06T10:00:00Z"), 1)[0]!.start).toEqual(d("2027-01-04T00:00:00Z"));
  });
});
