import { describe, expect, it } from "vitest";
import { addWindowCounts, countWindowHits, windowScores } from "./window-metrics.js";

const windows = [
  { startIndex: 20, endIndex: 29 },
  { startIndex: 60, endIndex: 69 },
];
const flags = (...rows: number[]) => Array.from({ length: 100 }, (_, i) => rows.includes(i));

describe("countWindowHits", () => {
  it("counts a run of flagged rows as one event placed at its first row", () => {
    // Events: 25-27 (in window 1), 40 (outside), 69-71 (starts in window 2), 90 (outside).
    const c = countWindowHits(flags(25, 26, 27, 40, 69, 70, 71, 90), windows, 10);
    expect(c).toEqual({ windows: 2, detectedWindows: 2, events: 4, eventsInWindow: 2 });
    expect(windowScores(c)).toEqual({ precision: 0.5, recall: 1, f1: 2 / 3 });
  });

  it("counts an event that starts before a window and runs into it as a false one, though the window is detected", () => {
    expect(countWindowHits(flags(18, 19, 20, 21), windows, 10)).toEqual({ windows: 2, detectedWindows: 1, events: 1, eventsInWindow: 0 });
  });

  it("skips the probationary rows and the windows that end in them", () => {
    expect(countWindowHits(flags(5, 22), windows, 30)).toEqual({ windows: 1, detectedWindows: 0, events: 0, eventsInWindow: 0 });
    // A run that crosses the end of the probationary period is one event from its first scored row.
    expect(countWindowHits(flags(28, 29, 30, 31), windows, 30)).toEqual({ windows: 1, detectedWindows: 0, events: 1, eventsInWindow: 0 });
  });

  it("gives 0 for a ratio whose denominator is 0", () => {
    expect(windowScores(countWindowHits(flags(), windows, 10))).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(windowScores(countWindowHits(flags(50), [], 10))).toEqual({ precision: 0, recall: 0, f1: 0 });
  });
});

describe("addWindowCounts", () => {
  it("sums files so the corpus scores are micro-averaged", () => {
    const a = countWindowHits(flags(25), windows, 10);
    const b = countWindowHits(flags(40, 50), [], 10);
    const total = addWindowCounts([a, b]);
    expect(total).toEqual({ windows: 2, detectedWindows: 1, events: 3, eventsInWindow: 1 });
    expect(windowScores(total).precision).toBeCloseTo(1 / 3, 12);
  });
});
