import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { Command, isGraphInterrupt } from "@langchain/langgraph";
import { errorMessage, isSignal, type Clock, type Environment, type ServiceCatalog } from "../core/index.js";
import { buildReport, type ApprovalAnswer, type ApprovalInterrupt, type CycleGraph, type CycleTrigger } from "../graphs/index.js";
import type { CycleRow, CyclesRepo } from "./store/index.js";
import type { Logger } from "./logger.js";

/** What the runner needs. */
export interface CycleRunnerDeps {
  cycles: CyclesRepo;
  graph: CycleGraph;
  clock: Clock;
  catalog: ServiceCatalog;
  logger: Logger;
  /** The model provider's name, for reports. */
  modelName: string;
  /** Lease of a claimed cycle; renewed every third of it while the cycle runs. */
  leaseMs?: number;
  /** How often an idle runner looks for queued cycles (real time). */
  pollMs?: number;
  /** Called after a cycle pauses, completes or fails (tests, progress output, tracing flush). */
  onSettled?: (cycle: CycleRow) => Promise<void> | void;
  /** Extra run configuration per cycle (e.g. tracing callbacks). */
  runConfig?: (cycle: CycleRow) => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** The answer already given to an approval, if any. */
  answerFor?: (approvalId: string) => Promise<ApprovalAnswer | null>;
}

/** Runs queued cycles, one at a time per runner; several runners (replicas) share the database. */
export interface CycleRunner {
  readonly owner: string;
  /** Starts the background loop. */
  start(): void;
  /** Stops the loop and waits for the running cycle to reach its next checkpoint. */
  stop(): Promise<void>;
  /** Looks for work now instead of at the next poll. */
  wake(): void;
  /** Claims one cycle and runs it until it pauses or ends; null when nothing was queued. */
  runNext(): Promise<CycleRow | null>;
}

/** Creates a cycle runner. */
export function createCycleRunner(deps: CycleRunnerDeps): CycleRunner {
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const leaseMs = deps.leaseMs ?? 60_000;
  const pollMs = deps.pollMs ?? 1_000;
  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  const controller = new AbortController();

  async function runNext(): Promise<CycleRow | null> {
    const cycle = await deps.cycles.claimNext({ owner, leaseMs, now: new Date() });
    if (!cycle) return null;
    const settled = await run(cycle);
    await deps.onSettled?.(settled);
    return settled;
  }

  async function run(cycle: CycleRow): Promise<CycleRow> {
    const log = deps.logger.child({ cycle_id: cycle.id });
    const lease = new AbortController();
    const heartbeat = setInterval(() => {
      deps.cycles
        .heartbeat(cycle.id, owner, leaseMs, new Date())
        .then((ok) => {
          if (!ok) lease.abort(new Error(`lost the lease on ${cycle.id}`));
        })
        .catch((error: unknown) => log.warn({ err: errorMessage(error) }, "heartbeat failed"));
    }, Math.max(1_000, Math.floor(leaseMs / 3)));
    const config = {
      configurable: { thread_id: cycle.id },
      recursionLimit: 500,
      runName: `cycle ${cycle.id} run ${cycle.attempts}`,
      metadata: { cycle_id: cycle.id, environment: cycle.environment, signal: cycle.signal, service: cycle.service },
      tags: ["autopilot-cycle", `environment:${cycle.environment}`],
      signal: AbortSignal.any([lease.signal, controller.signal]),
      ...(await deps.runConfig?.(cycle)),
    };
    try {
      const existing = await deps.graph.getState(config);
      const started = Boolean((existing.values as { cycleId?: string } | undefined)?.cycleId);
      let input: unknown = cycle.resume ? new Command({ resume: cycle.resume }) : started ? null : initialState(cycle, deps.catalog, deps.clock.now());
      log.info({ resume: Boolean(cycle.resume), continued: started && !cycle.resume, attempt: cycle.attempts }, "cycle running");
      for (;;) {
        await deps.graph.invoke(input as never, config);
        const snapshot = await deps.graph.getState(config);
        const pending = snapshot.tasks.flatMap((t) => t.interrupts ?? []).map((i) => i.value as ApprovalInterrupt);
        if (pending.length === 0) break;
        const approvalId = pending[0]!.approval_id;
        // An operator may have answered before the cycle paused: resume at once.
        const answered = await deps.answerFor?.(approvalId);
        if (answered) {
          input = new Command({ resume: answered });
          continue;
        }
        log.info({ approval_id: approvalId, tool: pending[0]!.tool }, "cycle waits for approval");
        const parked = await deps.cycles.awaitApproval(cycle.id, owner, approvalId, new Date());
        const late = await deps.answerFor?.(approvalId);
        return late ? await deps.cycles.queueResume(cycle.id, late, new Date()) : parked;
      }
      const snapshot = await deps.graph.getState(config);
      const report = buildReport(snapshot.values as never, deps.clock.now(), deps.modelName);
      log.info({ outcome: report.outcome }, "cycle finished");
      return await deps.cycles.complete(cycle.id, owner, { outcome: report.outcome, report, now: new Date() });
    } catch (error) {
      if (isGraphInterrupt(error)) throw error;
      if (lease.signal.aborted || controller.signal.aborted) {
        // Another runner owns the cycle now, or we are shutting down: its checkpoint carries on.
        log.warn({ reason: errorMessage(lease.signal.reason ?? controller.signal.reason) }, "cycle left to its checkpoint");
        return (await deps.cycles.get(cycle.id)) ?? cycle;
      }
      log.error({ err: errorMessage(error) }, "cycle failed");
      return await deps.cycles.fail(cycle.id, owner, { error: errorMessage(error).slice(0, 2000), now: new Date() });
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function background(): Promise<void> {
    while (running) {
      try {
        const ran = await runNext();
        if (ran) continue;
      } catch (error) {
        deps.logger.error({ err: errorMessage(error) }, "cycle runner iteration failed");
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
    }
  }

  return {
    owner,
    start() {
      if (running) return;
      running = true;
      loop = background();
    },
    async stop() {
      running = false;
      wakeUp?.();
      controller.abort(new Error("the server is shutting down"));
      await loop;
    },
    wake: () => wakeUp?.(),
    runNext,
  };
}

/** The graph's initial state for a cycle row. */
export function initialState(cycle: CycleRow, catalog: ServiceCatalog, now: Date) {
  const t = cycle.trigger as Partial<Record<string, unknown>>;
  const trigger: CycleTrigger = {
    signal: isSignal(cycle.signal) ? cycle.signal : null,
    service: cycle.service,
    alertname: typeof t.alertname === "string" ? t.alertname : null,
    fingerprint: typeof t.fingerprint === "string" ? t.fingerprint : null,
    value: typeof t.value === "number" ? t.value : null,
    baseline: typeof t.baseline === "number" ? t.baseline : null,
    startsAt: typeof t.starts_at === "string" ? t.starts_at : null,
    labels: (t.labels as Record<string, string>) ?? {},
    annotations: (t.annotations as Record<string, string>) ?? {},
  };
  return {
    cycleId: cycle.id,
    environment: cycle.environment as Environment,
    trigger,
    service: cycle.service ? (catalog[cycle.service] ?? null) : null,
    startedAt: now.toISOString(),
  };
}
