import { Worker } from "node:worker_threads";
import type { Scenario } from "../../evals/sandbox/index.js";
import type { ScenarioRun } from "../../evals/scorers/index.js";
import type { Config } from "../config.js";
import { crashedRun } from "./play.js";

/** A scenario sent to a worker thread. */
export interface PlayJob {
  id: number;
  scenario: Scenario;
  /** The LangSmith experiment's run of this play (its trace headers), to hang the cycles under. */
  trace?: Record<string, string>;
}

/** A worker's answer: the run, or why it could not play it. */
export type PlayReply = { id: number; run: ScenarioRun } | { id: number; error: string };

/** Plays scenarios; `play` always resolves (a crash is the run's `error`). */
export interface ScenarioPlayer {
  play(scenario: Scenario, trace?: Record<string, string>): Promise<ScenarioRun>;
  close(): Promise<void>;
}

// Worker threads do not inherit the main thread's TypeScript loader: each one registers tsx first.
const BOOT = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL("./worker.ts", import.meta.url).href)}); })`;

interface Pending {
  job: PlayJob;
  started: number;
  resolve(run: ScenarioRun): void;
}

/**
 * A pool of `size` worker threads, each playing one scenario at a time on its own embedded
 * autopilot. A scenario is CPU-bound (the graph, PGlite), so threads, not concurrent promises, are
 * what makes a suite run faster. A worker that dies fails its scenario and is replaced.
 */
export function createWorkerPool(options: { size: number; config: Config; logLevel: string }): ScenarioPlayer {
  const queue: Pending[] = [];
  const slots = new Set<{ worker: Worker; busy: Pending | null }>();
  let nextId = 1;
  let closed = false;

  const spawn = () => {
    const slot = { worker: new Worker(BOOT, { eval: true, workerData: { config: options.config, logLevel: options.logLevel } }), busy: null as Pending | null };
    slot.worker.on("message", (reply: PlayReply) => {
      const done = slot.busy;
      slot.busy = null;
      if (done && done.job.id === reply.id) done.resolve("run" in reply ? reply.run : crashedRun(done.job.scenario, reply.error, Date.now() - done.started));
      dispatch();
    });
    let reason = "it exited";
    slot.worker.on("error", (error) => (reason = error.message));
    slot.worker.on("exit", (code) => {
      slots.delete(slot);
      const lost = slot.busy;
      if (lost) lost.resolve(crashedRun(lost.job.scenario, `the eval worker stopped (exit code ${code}): ${reason}`, Date.now() - lost.started));
      if (!closed) dispatch();
    });
    slots.add(slot);
    return slot;
  };

  const dispatch = () => {
    while (queue.length > 0 && !closed) {
      const idle = [...slots].find((s) => !s.busy) ?? (slots.size < options.size ? spawn() : null);
      if (!idle) return;
      const next = queue.shift()!;
      next.started = Date.now();
      idle.busy = next;
      idle.worker.postMessage(next.job);
    }
  };

  return {
    play(scenario, trace) {
      return new Promise((resolve) => {
        queue.push({ job: { id: nextId++, scenario, trace }, started: Date.now(), resolve });
        dispatch();
      });
    },
    async close() {
      closed = true;
      await Promise.all([...slots].map((s) => s.worker.terminate()));
    },
  };
}
