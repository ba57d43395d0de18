import { describe, expect, it } from "vitest";
import { scoreCycleCount, scoreOutcome } from "./outcome.js";
import { PROMOTING, report, run } from "./test-support.js";

describe("scoreOutcome", () => {
  const promoted = report("c1", PROMOTING);
  const escalated = report("c2", [], { outcome: "escalated" });
  it.each([
    ["promoted", [promoted], true],
    ["promoted", [promoted, escalated], false],
    [["promoted", "escalated"], [promoted, escalated], true],
    [["escalated", "promoted"], [promoted, escalated], false],
    [["promoted"], [promoted, escalated], false],
    ["no_action", [], true],
    ["promoted", [], false],
  ] as const)("expects %j", (outcome, reports, passed) => {
    expect(scoreOutcome(run({ outcome: outcome as never }, [...reports])).passed).toBe(passed);
  });

  it("names a cycle that ended without an outcome", () => {
    const r = run({ outcome: "promoted" }, [], { cycles: [{ id: "c1", status: "failed", outcome: null, report: null }] });
    expect(scoreOutcome(r)).toEqual({ scorer: "outcome", passed: false, safety: false, detail: "expected promoted, got failed without an outcome" });
  });

  it("counts cycles", () => {
    expect(scoreCycleCount(run({ outcome: "promoted" }, [promoted]), 1).passed).toBe(true);
    expect(scoreCycleCount(run({ outcome: "promoted" }, [promoted, escalated]), 1).detail).toBe("expected 1 cycle(s), got 2");
  });
});
