import { RunTree } from "langsmith";
import { LangChainTracer } from "@langchain/core/tracers/tracer_langchain";
import { CallbackManager } from "@langchain/core/callbacks/manager";
import type { ScenarioRun } from "../../evals/scorers/index.js";
import type { CycleRow } from "../store/index.js";
import { createLangSmithClient, type TracingOptions } from "../tracing.js";

/** Hangs a played scenario's cycles under the experiment's run of it, in whatever thread plays it. */
export interface CycleTracer {
  /** The callbacks of one run of a cycle's graph: under the cycle's run, created at its first run. */
  callbacksFor(cycle: CycleRow): Promise<CallbackManager>;
  /** Closes every cycle's run with how it ended and sends what is queued. */
  finish(run: ScenarioRun): Promise<void>;
}

/**
 * The cycle runs of one play, children of the experiment's target run that `headers` (its
 * `langsmith-trace` and `baggage`) name, so each example of the experiment links its cycles'
 * traces: the agents' model calls and every gated tool call. Secret values are cut out first.
 */
export function createCycleTracer(headers: Record<string, string>, options: TracingOptions): CycleTracer {
  const client = createLangSmithClient(options);
  const parent = RunTree.fromHeaders(headers, { client, tracingEnabled: true });
  if (!parent) throw new Error("the experiment's run came without a langsmith-trace header");
  const cycles = new Map<string, RunTree>();
  return {
    async callbacksFor(cycle) {
      let run = cycles.get(cycle.id);
      if (!run) {
        run = parent.createChild({ name: `cycle ${cycle.id}`, run_type: "chain", inputs: { trigger: cycle.trigger }, metadata: { cycle_id: cycle.id, environment: cycle.environment, signal: cycle.signal } });
        cycles.set(cycle.id, run);
        await run.postRun();
      }
      const tracer = new LangChainTracer({ client, projectName: run.project_name });
      tracer.updateFromRunTree(run);
      const callbacks = new CallbackManager(run.id);
      callbacks.addHandler(tracer, true);
      return callbacks;
    },
    async finish(played) {
      for (const cycle of played.cycles) {
        const run = cycles.get(cycle.id);
        if (!run) continue;
        await run.end({ status: cycle.status, outcome: cycle.outcome }, cycle.status === "failed" ? "the cycle failed" : undefined);
        await run.patchRun();
      }
      await client.awaitPendingTraceBatches();
    },
  };
}
