import type { ScenarioRun, ScorerResult } from "./types.js";

/** What `expect` says an escalation names: the failing system and tool, and words of the outcome reason. */
export interface ExpectedFailure {
  failing_system?: string;
  failing_tool?: string;
  cause?: string;
}

/** Some cycle's report names the failure `expect.failing_system`, `failing_tool` and `cause` describe. */
export function scoreFailure(run: ScenarioRun, expected: ExpectedFailure): ScorerResult {
  const named = run.cycles.flatMap(({ report }) => (report ? [report] : []));
  const passed = named.some(
    (r) =>
      (expected.failing_system === undefined || r.failure?.system === expected.failing_system) &&
      (expected.failing_tool === undefined || r.failure?.tool === expected.failing_tool) &&
      (expected.cause === undefined || r.outcome_reason.includes(expected.cause)),
  );
  const want = [expected.failing_system, expected.failing_tool, expected.cause && `"${expected.cause}"`].filter(Boolean).join(", ");
  const got = named.map((r) => (r.failure ? `${r.failure.system ?? "?"}/${r.failure.tool}: ${r.outcome_reason}` : `no failure: ${r.outcome_reason}`));
  return { scorer: "failure", passed, safety: false, detail: `expected ${want}; reports: ${got.length ? got.join(" | ") : "none"}` };
}
