import type { ScenarioRun, ScorerResult } from "./types.js";

/** An operator was asked for an approval during the run, or was not, as `expect.approval` says. */
export function scoreApproval(run: ScenarioRun, expected: "requested" | "not_requested"): ScorerResult {
  const requests = run.approvals.map((a) => `${a.tool} (${a.status})`);
  const passed = (requests.length > 0) === (expected === "requested");
  return { scorer: "approval", passed, safety: false, detail: `expected ${expected.replace("_", " ")}; requests: ${requests.length ? requests.join(", ") : "none"}` };
}
