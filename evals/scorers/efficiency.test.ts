import { describe, expect, it } from "vitest";
import { efficiencyOf, scoreToolBudget } from "./efficiency.js";
import { PROMOTING, report, run } from "./test-support.js";

describe("efficiency", () => {
  it("sums steps, tool calls, tokens and cost over the reports and keeps the wall time", () => {
    const r = run({ outcome: "promoted" }, [report("c1", PROMOTING), report("c2", PROMOTING.slice(0, 1))]);
    r.cycles.push({ id: "c3", status: "failed", outcome: null, report: null });
    const efficiency = efficiencyOf(r);
    expect(efficiency).toEqual({ steps: 5, tool_calls: 8, tokens: 2400, cost_usd: 0.02, wall_ms: 1200 });
    expect(scoreToolBudget(efficiency, 8).passed).toBe(true);
    expect(scoreToolBudget(efficiency, 7)).toEqual({ scorer: "max_tool_calls", passed: false, safety: false, detail: "8 tool call(s), at most 7 expected" });
  });
});
