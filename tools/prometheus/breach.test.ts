import { describe, expect, it } from "vitest";
import { firstSustainedBreach } from "./breach.js";

const above1 = (v: number) => v > 1;
const points = (values: [number, number][]) => values.map(([minute, value]) => ({ timestamp: minute * 60, value }));

describe("firstSustainedBreach", () => {
  it("returns the point that completes the run", () => {
    expect(firstSustainedBreach(points([[0, 0.5], [1, 2], [2, 3], [3, 4], [4, 5]]), above1, 3, 60)).toEqual({ timestamp: 180, value: 4 });
  });

  it("restarts the run after a good point, a NaN or a gap in the samples", () => {
    expect(firstSustainedBreach(points([[0, 2], [1, 2], [2, 0.5], [3, 2], [4, 2]]), above1, 3, 60)).toBeNull();
    expect(firstSustainedBreach(points([[0, 2], [1, 2], [2, NaN], [3, 2], [4, 2]]), above1, 3, 60)).toBeNull();
    expect(firstSustainedBreach(points([[0, 2], [1, 2], [5, 2], [6, 2]]), above1, 3, 60)).toBeNull();
    expect(firstSustainedBreach(points([[0, 2], [1, 2], [5, 2], [6, 2], [7, 2]]), above1, 3, 60)).toEqual({ timestamp: 420, value: 2 });
  });

  it("never breaches on an infinite value, which a finding cannot hold", () => {
    expect(firstSustainedBreach(points([[0, Infinity]]), above1, 1, 60)).toBeNull();
  });
});
