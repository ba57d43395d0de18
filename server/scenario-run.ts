import type { CycleRow } from "./store/index.js";
import type { Autopilot } from "./autopilot.js";

/** How the scenario's simulated operator answers a pending approval. */
export type OperatorAnswer = (cycle: CycleRow & { pendingApprovalId: string }) => Promise<void>;

/**
 * Plays a sandbox scenario through the real webhook: the sandbox raises the scenario's first alert
 * at its time, the cycle runs until it ends, and `answer` plays the operator at every pause.
 */
export async function runScenarioCycle(ap: Autopilot, webhookUrl: string, answer: OperatorAnswer, headers: Record<string, string> = {}): Promise<CycleRow> {
  const sandbox = ap.platform.sandbox;
  if (!sandbox) throw new Error("scenarios run against the sandbox; this autopilot talks to real systems");
  sandbox.advanceToAlert(0);
  const res = await fetch(webhookUrl, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(sandbox.alertPayload(0)) });
  const body = (await res.json()) as { cycles_started?: string[] };
  const cycleId = body.cycles_started?.[0];
  if (!cycleId) throw new Error(`the webhook started no cycle (${res.status}): ${JSON.stringify(body)}`);
  for (let turns = 0; turns < 200; turns++) {
    await ap.runner.runNext();
    const cycle = await ap.store.cycles.get(cycleId);
    if (!cycle) throw new Error(`cycle ${cycleId} disappeared`);
    if (cycle.status === "completed" || cycle.status === "failed") return cycle;
    if (cycle.status === "awaiting_approval" && cycle.pendingApprovalId) await answer(cycle as CycleRow & { pendingApprovalId: string });
  }
  throw new Error(`cycle ${cycleId} did not end`);
}

/** An instant a year from now: expiring approvals "at" it lets every pending one lapse, as an operator who never answers would. */
export function farFuture(): Date {
  return new Date(Date.now() + 365 * 86_400_000);
}
