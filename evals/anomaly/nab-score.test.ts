import { describe, expect, it } from "vitest";
import { NAB_PROFILES, normalizeNabScore, probationaryLength, scaledSigmoid, scoreNabFile } from "./nab-score.js";

const standard = NAB_PROFILES.standard;
// 100 rows: the probationary period is rows 0-14; one window spans rows 40-49 (width 10).
const window = [{ startIndex: 40, endIndex: 49 }];
const flags = (...rows: number[]) => Array.from({ length: 100 }, (_, i) => rows.includes(i));

describe("scaledSigmoid", () => {
  it("gives NAB's documented values at the window's left edge, middle and right edge, and past it", () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.84828, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(3)).toBe(-1);
    expect(scaledSigmoid(10)).toBe(-1);
  });
});

describe("probationaryLength", () => {
  it("is 15% of the rows, rounded down, and never more than 750", () => {
    expect(probationaryLength(100)).toBe(15);
    expect(probationaryLength(4032)).toBe(604);
    expect(probationaryLength(1882)).toBe(282);
    expect(probationaryLength(10320)).toBe(750);
    expect(probationaryLength(18050)).toBe(750);
  });
});

describe("scoreNabFile", () => {
  it("gives the full tpWeight to a detection at the window's first row", () => {
    const s = scoreNabFile(flags(40), window, standard);
    expect(s.raw).toBeCloseTo(1.0, 10);
    expect(s).toMatchObject({ scoredWindows: 1, detectedWindows: 1, fpRows: 0, fn: 0, probation: 15 });
  });

  it("gives S(-1/width)/S(-1) to a detection at the window's last row", () => {
    // S(-0.1) = 2/(1+e^-0.5) - 1 = 0.244919; S(-1) = 0.986614; their ratio 0.248242.
    expect(scoreNabFile(flags(49), window, standard).raw).toBeCloseTo(0.248242, 6);
  });

  it("counts only the earliest detection in a window", () => {
    expect(scoreNabFile(flags(40, 45, 49), window, standard).raw).toBeCloseTo(1.0, 10);
    expect(scoreNabFile(flags(45, 49), window, standard).raw).toBeCloseTo(scoreNabFile(flags(45), window, standard).raw, 12);
  });

  it("charges -fnWeight for a window without a detection, more under reward_low_FN_rate", () => {
    expect(scoreNabFile(flags(), window, standard)).toMatchObject({ raw: -1, fn: -1, tp: 0, fp: 0, detectedWindows: 0 });
    expect(scoreNabFile(flags(), window, NAB_PROFILES.reward_low_FN_rate).raw).toBe(-2);
  });

  it("charges a false positive right after a window little and one far from it the full fpWeight", () => {
    // Row 50: |49-50|/(10-1) = 1/9, S(1/9) = 2/(1+e^(5/9)) - 1 = -0.270844, times 0.11.
    const near = scoreNabFile(flags(40, 50), window, standard);
    expect(near.fp).toBeCloseTo(-0.11 * 0.270844, 6);
    expect(near.raw).toBeCloseTo(1 - 0.11 * 0.270844, 6);
    // Row 99 lies 50/9 > 3 relative widths past the window: S = -1.
    const far = scoreNabFile(flags(40, 99), window, standard);
    expect(far.fp).toBeCloseTo(-0.11, 12);
    expect(far.fpRows).toBe(1);
    expect(scoreNabFile(flags(40, 99), window, NAB_PROFILES.reward_low_FP_rate).fp).toBeCloseTo(-0.22, 12);
  });

  it("charges a false positive before the first window the full fpWeight", () => {
    expect(scoreNabFile(flags(20, 40), window, standard).raw).toBeCloseTo(1 - 0.11, 12);
  });

  it("counts every flagged row outside a window, as NAB scores rows, not events", () => {
    expect(scoreNabFile(flags(97, 98, 99), window, standard)).toMatchObject({ fpRows: 3 });
    expect(scoreNabFile(flags(97, 98, 99), window, standard).raw).toBeCloseTo(-1 - 0.33, 12);
  });

  it("ignores detections in the probationary period", () => {
    const s = scoreNabFile(flags(3, 14), window, standard);
    expect(s).toMatchObject({ raw: -1, fpRows: 0, detectedWindows: 0 });
    expect(scoreNabFile(flags(15), window, standard).fpRows).toBe(1);
  });

  it("does not score a window that ends inside the probationary period, not even as a miss", () => {
    const s = scoreNabFile(flags(), [{ startIndex: 5, endIndex: 14 }], standard);
    expect(s).toMatchObject({ raw: 0, scoredWindows: 0 });
    // A detection after it is a false positive measured from that window's end: 6/9 relative widths.
    expect(scoreNabFile(flags(20), [{ startIndex: 5, endIndex: 14 }], standard).fp).toBeCloseTo(0.11 * scaledSigmoid(6 / 9), 12);
  });

  it("measures a false positive from the last window before it when there are several", () => {
    const two = [{ startIndex: 20, endIndex: 29 }, { startIndex: 60, endIndex: 69 }];
    // Row 71 follows the second window by 2 rows: 2/9; row 31 follows the first by 2 rows as well.
    const s = scoreNabFile(flags(31, 71), two, standard);
    expect(s.fp).toBeCloseTo(2 * 0.11 * scaledSigmoid(2 / 9), 12);
    expect(s.fn).toBe(-2);
  });

  it("uses a distance of 2 after a one-row window, where NAB's formula would divide by zero", () => {
    expect(scoreNabFile(flags(60), [{ startIndex: 50, endIndex: 50 }], standard).fp).toBeCloseTo(0.11 * scaledSigmoid(2), 12);
  });

  it("scores a file without windows by its false positives alone", () => {
    expect(scoreNabFile(flags(50), [], standard)).toMatchObject({ raw: -0.11, scoredWindows: 0 });
    expect(scoreNabFile(flags(), [], standard).raw).toBe(0);
  });
});

describe("normalizeNabScore", () => {
  it("maps the perfect detector to 100 and the null detector to 0", () => {
    expect(normalizeNabScore(3, -3, 3, standard)).toBe(100);
    expect(normalizeNabScore(-3, -3, 3, standard)).toBe(0);
    expect(normalizeNabScore(0, -3, 3, standard)).toBe(50);
    expect(normalizeNabScore(-4, -4, 2, NAB_PROFILES.reward_low_FN_rate)).toBe(0);
    expect(normalizeNabScore(-6, -4, 2, NAB_PROFILES.reward_low_FN_rate)).toBeCloseTo(-100 / 3, 12);
  });

  it("is null for a corpus without windows", () => {
    expect(normalizeNabScore(-0.5, 0, 0, standard)).toBeNull();
  });
});
