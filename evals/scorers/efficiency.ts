import type { Efficiency, ScenarioRun } from "./types.js";

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
