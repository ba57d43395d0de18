import { describe, expect, it } from "vitest";
import { PROMOTING, report, run } from "./test-support.js";
import { scoreAgents, scoreTrajectory, trajectoryMismatch } from "./trajectory.js";

describe("trajectoryMismatch", () => {
  const actual = ["a", "b", "b", "c"];
  it.each([
    ["strict", ["a", "b", "b", "c"], null],
    ["strict", ["a", "b", "c"], "call 3 is b, expected c"],
    ["strict", ["a", "b", "b", "c", "d"], "call 5 is missing, expected d"],
    ["strict", ["a", "b", "b"], "call 4 is c, expected no further call"],
    ["unordered", ["c", "b", "a", "b"], null],
    ["unordered", ["c", "b", "a"], "beyond the expected: b"],
    ["unordered", ["c", "b", "a", "b", "d"], "missing d"],
    ["subset", ["a", "b", "b", "c", "d"], null],
    ["subset", ["a", "b", "c"], "beyond the expected: b"],
    ["superset", ["c", "a"], null],
    ["superset", ["a", "d", "d"], "missing d, d"],
    ["superset", [], null],
  ] as const)("%s against %j", (mode, expected, mismatch) => {
    expect(trajectoryMismatch(actual, expected, mode)).toBe(mismatch);
  });

  it("says both what is missing and what is extra when unordered", () => {
    expect(trajectoryMismatch(["a", "x"], ["a", "y"], "unordered")).toBe("missing y; beyond the expected: x");
  });
});

describe("scoreTrajectory", () => {
  it("compares every call of every cycle, denied ones included", () => {
    const r = run({ outcome: "promoted" }, [report("c1", PROMOTING.slice(0, 2)), report("c2", [["devops", "argocd_sync_application", "denied", "deny"]])]);
    const tools = ["prometheus_get_signal", "prometheus_query_breakdown", "argocd_sync_application"];
    expect(scoreTrajectory(r, { tools, mode: "strict" })).toMatchObject({ scorer: "trajectory", passed: true, safety: false });
    const result = scoreTrajectory(r, { tools: tools.slice(0, 2), mode: "subset" });
    expect(result.passed).toBe(false);
    expect(result.detail).toBe(`subset: beyond the expected: argocd_sync_application (calls: ${tools.join(", ")})`);
  });
});

describe("scoreAgents", () => {
  it("counts an agent once for consecutive steps, across cycles", () => {
    const r = run({ outcome: "promoted" }, [report("c1", PROMOTING), report("c2", [["devops", "argocd_rollback_application"]])]);
    expect(scoreAgents(r, ["metrics-analyst", "data-engineer", "ml-engineer", "devops"]).passed).toBe(true);
    const wrong = scoreAgents(r, ["metrics-analyst", "ml-engineer", "devops"]);
    expect(wrong.passed).toBe(false);
    expect(wrong.detail).toBe("agent 2 is data-engineer, expected ml-engineer; acted: metrics-analyst, data-engineer, ml-engineer, devops");
  });
});
