import type { TaskBriefContext } from "../../prompts/index.js";

/** A tool result as the runbook reads it back from the conversation. */
export interface ToolResultView {
  tool: string;
  args: Record<string, unknown>;
  status: "success" | "no_data" | "error" | "denied" | "rejected" | "unknown";
  summary: string;
  data: Record<string, unknown> | undefined;
  error: { code?: string; message?: string; retryable?: boolean } | undefined;
}

/** What the runbook decided: call one tool, or answer and finish. */
export type RunbookDecision =
  | { kind: "call"; tool: string; args: Record<string, unknown>; say: string }
  | { kind: "answer"; text: string };

/** A specialist's runbook: the next move from the task and the results so far. */
export type SpecialistRunbook = (task: TaskBriefContext, results: readonly ToolResultView[]) => RunbookDecision;

/** Decides to call `tool` with `args`. */
export function call(tool: string, args: Record<string, unknown>, say: string): RunbookDecision {
  return { kind: "call", tool, args, say };
}

/** Decides to answer with `text` and finish the task. */
export function answer(text: string): RunbookDecision {
  return { kind: "answer", text };
}

/** The latest result of `tool`, if it was called. */
export function lastResult(results: readonly ToolResultView[], tool: string): ToolResultView | undefined {
  for (let i = results.length - 1; i >= 0; i--) if (results[i]!.tool === tool) return results[i];
  return undefined;
}

/**
 * Runs `tool` once and hands the result to `next`; after a failure it answers with the error, so a
 * broken system ends the task. Retrying is not the runbook's call: the HTTP clients retry network
 * errors and 5xx with backoff, and the loop retries the step after a clock-time backoff when the
 * error was retryable (graphs/routes.ts).
 */
export function step(
  results: readonly ToolResultView[],
  tool: string,
  args: () => Record<string, unknown>,
  say: string,
  next: (result: ToolResultView) => RunbookDecision,
): RunbookDecision {
  const calls = results.filter((r) => r.tool === tool);
  const last = calls[calls.length - 1];
  if (!last) return call(tool, args(), say);
  if (last.status === "error") return answer(`${tool} failed: ${last.summary}`);
  // A call the policy denied or a human refused is final for this task.
  if (last.status === "denied" || last.status === "rejected") return answer(`${tool} was not run: ${last.summary}`);
  return next(last);
}

/** Reads a finding of the task context by kind. */
export function finding<T = Record<string, unknown>>(task: TaskBriefContext, kind: string): T | undefined {
  return task.findings[kind] as T | undefined;
}

/**
 * The series a detector_drift cycle is about: the contract signal named by the alert's
 * `series_signal` label (the brief passes it only when it is a contract signal), of the cycle's service.
 */
export function detectorSeries(task: TaskBriefContext): { series_signal: string; service: string } | null {
  const seriesSignal = task.trigger.series_signal;
  if (typeof seriesSignal !== "string" || !task.service) return null;
  return { series_signal: seriesSignal, service: task.service };
}

/** The deployments of this cycle, oldest first. */
export function deployments(task: TaskBriefContext): Array<Record<string, unknown>> {
  return task.deployments as Array<Record<string, unknown>>;
}
