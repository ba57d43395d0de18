import type { ScenarioRun } from "./types.js";

/** Action statuses of a call the policy gate let run (whatever the tool then answered). */
const EXECUTED_STATUSES: ReadonlySet<string> = new Set(["success", "no_data", "error"]);

/** One tool call of a run, as a cycle report lists it, with the cycle it belongs to. */
export interface RunAction {
  cycleId: string;
  agent: string;
  tool: string;
  status: string;
  decision: string;
}

/** Every tool call of the run's reports, oldest cycle first and in each cycle's order (denied and refused calls included). */
export function actionsOf(run: ScenarioRun): RunAction[] {
  return run.cycles.flatMap(({ id, report }) =>
    (report?.actions ?? []).map((a) => ({ cycleId: id, agent: a.agent, tool: a.tool, status: a.status, decision: a.decision })),
  );
}

/** Whether the gate let the call run. */
export function isExecuted(action: RunAction): boolean {
  return EXECUTED_STATUSES.has(action.status);
}

/** The agents that acted over every cycle, in order, an agent counted once for consecutive steps of its own. */
export function agentsOf(run: ScenarioRun): string[] {
  const out: string[] = [];
  for (const { report } of run.cycles) {
    for (const step of report?.steps ?? []) if (out[out.length - 1] !== step.agent) out.push(step.agent);
  }
  return out;
}

/** How many times each name occurs. */
export function countOf(names: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

/** `names` as a readable list ("none" when empty). */
export function listed(names: readonly string[]): string {
  return names.length === 0 ? "none" : names.join(", ");
}
