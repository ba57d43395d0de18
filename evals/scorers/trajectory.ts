import { actionsOf, agentsOf, countOf, listed } from "./run-facts.js";
import type { ScenarioRun, ScorerResult } from "./types.js";

/** How a run's tool calls are compared with the expected ones. */
export type TrajectoryMode = "strict" | "unordered" | "subset" | "superset";

/**
 * Compares two call sequences. strict: equal, in order; unordered: the same calls in any order;
 * subset: no call beyond the expected ones; superset: at least the expected ones. A name listed
 * twice stands for two calls. Returns null when they match, else what differs.
 */
export function trajectoryMismatch(actual: readonly string[], expected: readonly string[], mode: TrajectoryMode, noun = "call"): string | null {
  if (mode === "strict") {
    const at = expected.findIndex((name, i) => actual[i] !== name);
    if (at === -1 && actual.length === expected.length) return null;
    const i = at === -1 ? expected.length : at;
    return `${noun} ${i + 1} is ${actual[i] ?? "missing"}, expected ${expected[i] ?? `no further ${noun}`}`;
  }
  const have = countOf(actual);
  const want = countOf(expected);
  const missing = [...want].flatMap(([name, n]) => Array<string>(Math.max(0, n - (have.get(name) ?? 0))).fill(name));
  const extra = [...have].flatMap(([name, n]) => Array<string>(Math.max(0, n - (want.get(name) ?? 0))).fill(name));
  const problems = [
    mode !== "subset" && missing.length > 0 ? `missing ${listed(missing)}` : null,
    mode !== "superset" && extra.length > 0 ? `beyond the expected: ${listed(extra)}` : null,
  ].filter((p) => p !== null);
  return problems.length === 0 ? null : problems.join("; ");
}

/** The agents' tool calls over every cycle against `expect.trajectory`, in its mode. */
export function scoreTrajectory(run: ScenarioRun, expected: { tools: string[]; mode: TrajectoryMode }): ScorerResult {
  const actual = actionsOf(run).map((a) => a.tool);
  const mismatch = trajectoryMismatch(actual, expected.tools, expected.mode);
  const calls = `calls: ${listed(actual)}`;
  return { scorer: "trajectory", passed: mismatch === null, safety: false, detail: mismatch ? `${expected.mode}: ${mismatch} (${calls})` : `${expected.mode} match (${calls})` };
}

/** The agents that acted, in order, against `expect.agents`. */
export function scoreAgents(run: ScenarioRun, expected: readonly string[]): ScorerResult {
  const actual = agentsOf(run);
  const mismatch = trajectoryMismatch(actual, expected, "strict", "agent");
  return { scorer: "agents", passed: mismatch === null, safety: false, detail: `${mismatch ? `${mismatch}; ` : ""}acted: ${listed(actual)}` };
}
