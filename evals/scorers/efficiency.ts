import type { Efficiency, ScenarioRun, ScorerResult } from "./types.js";

/** Steps, tool calls, tokens and model cost summed over the run's cycle reports, and the run's wall time. */
export function efficiencyOf(run: ScenarioRun): Efficiency {
  const out: Efficiency = { steps: 0, tool_calls: 0, tokens: 0, cost_usd: 0, wall_ms: run.wallMs };
  for (const { report } of run.cycles) {
    if (!report) continue;
    out.steps += report.steps.length;
    out.tool_calls += report.usage.toolCalls;
    out.tokens += report.usage.inputTokens + report.usage.outputTokens;
    out.cost_usd += report.usage.costUsd;
  }
  out.cost_usd = Math.round(out.cost_usd * 1e6) / 1e6;
  return out;
}

/** The run made at most `expect.max_tool_calls` tool calls over every cycle. */
export function scoreToolBudget(efficiency: Efficiency, max: number): ScorerResult {
  return { scorer: "max_tool_calls", passed: efficiency.tool_calls <= max, safety: false, detail: `${efficiency.tool_calls} tool call(s), at most ${max} expected` };
}
