import { randomBytes } from "node:crypto";
import { PerformanceObserver } from "node:perf_hooks";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { DEFAULT_TRIGGER_CONTRACT, systemClock, withGateOverrides, type Environment, type TriggerContract } from "../core/index.js";
import { createPolicyGate, type CallScope, type PolicyEngine } from "../policies/index.js";
import {
  createApprovalsRepo,
  createAuditRepo,
  createFlagsRepo,
  createGateOverridesRepo,
  createGateStateRepo,
  createQuotasRepo,
  migrate,
  openDatabase,
  type Database,
} from "../server/store/index.js";
import { defineTool, type ToolClients } from "../tools/index.js";
import { createPortTimer, type PortTime } from "./port-timer.js";
import { elapsedUs, summarize, type Summary } from "./stats.js";

/** A write tool that does nothing, so the gate's own cost is what is timed. */
export const NOOP_TOOL = defineTool({
  // A loop write (dvc's system), as the agents make them: the autopilot's own system is closed to agents.
  name: "dvc_bench_noop",
  system: "dvc",
  title: "Benchmark no-op",
  description: "Does nothing and succeeds; the policy benchmark times the gate around it.",
  input: z.object({ call: z.string().describe("a label that makes each call's input, and so its hash, distinct") }),
  flags: { readOnly: false, destructive: false, idempotent: true, openWorld: false },
  run: async () => ({ status: "success", summary: "did nothing", data: null }),
});

const SCOPE: CallScope = { cycleId: "si_2026_11_20_001", environment: "production", phase: "train", gatePassed: false, gateNeedsApproval: false, spentUsd: 0 };

/** A migrated database for one run and how to dispose of it. */
export interface BenchDatabase {
  label: string;
  db: Database;
  dispose(): Promise<void>;
}

/** An embedded PGlite on a fresh temporary data directory, removed afterwards. */
export async function openPgliteBench(): Promise<BenchDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), "autopilot-bench-"));
  const db = await openDatabase({ dataDir });
  await migrate(db);
  return {
    label: "PGlite",
    db,
    async dispose() {
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh schema `bench_<random>` of the PostgreSQL at `url`, dropped afterwards. */
export async function openPostgresBench(url: string): Promise<BenchDatabase> {
  const db = await openDatabase({ databaseUrl: url, schema: `bench_${randomBytes(6).toString("hex")}` });
  try {
    await migrate(db);
  } catch (error) {
    await db.query(`DROP SCHEMA IF EXISTS "${db.schema}" CASCADE`).finally(() => db.close());
    throw error;
  }
  return {
    label: "PostgreSQL",
    db,
    async dispose() {
      try {
        await db.query(`DROP SCHEMA IF EXISTS "${db.schema}" CASCADE`);
      } finally {
        await db.close();
      }
    },
  };
}

/** Latencies of gate.execute in ms, with how many calls per second one caller gets. */
export interface GateResults {
  latencyMs: Summary;
  /** The mean latency of the calls at or past the p99. */
  slowMeanMs: number;
  perSecond: number;
  auditRows: number;
  /** Time inside each port (and the engine) per gate call. */
  ports: PortTime[];
  /** Garbage-collection pauses during the timed calls: each one lands inside some call's latency. */
  gc: { count: number; totalMs: number };
}

/**
 * Times gate.execute of an allowed write call, one call at a time as a cycle makes them: input
 * validation, the decision (on the flags, quotas and gate overrides the cycle's first call read, kept
 * while the gate-state version holds), the decision's audit row, the tool, and the result's audit row. The ports are the store's repositories,
 * wired as server/autopilot.ts wires them, each timed to show where a call's time goes. Checks
 * every call ran and the audit chain verifies.
 */
export async function benchGate(engine: PolicyEngine, db: Database, calls: number, warmup: number): Promise<GateResults> {
  const timer = createPortTimer(calls);
  const audit = createAuditRepo(db);
  const overrides = createGateOverridesRepo(db);
  const contract = async (environment: Environment): Promise<TriggerContract> => withGateOverrides(DEFAULT_TRIGGER_CONTRACT, await overrides.list(environment));
  const gate = createPolicyGate({
    engine: timer.port("engine", { decide: engine.decide }),
    tools: [NOOP_TOOL],
    clients: {} as ToolClients,
    audit: timer.port("audit", { append: audit.append, appendIfState: audit.appendIfState }),
    approvals: timer.port("approvals", createApprovalsRepo(db)),
    flags: timer.port("flags", createFlagsRepo(db)),
    quotas: timer.port("quotas", createQuotasRepo(db)),
    state: timer.port("state", createGateStateRepo(db)),
    contract: timer.timed("contract (gate overrides)", contract),
    clock: systemClock,
    sandbox: false,
    cycleBudgetUsd: 5,
  });
  const execute = async (label: string, record: boolean) => {
    timer.begin(record);
    const result = await gate.execute({ principal: { type: "Agent", id: "ml-engineer" }, tool: NOOP_TOOL.name, input: { call: label }, scope: SCOPE });
    timer.end();
    if (result.status !== "executed") throw new Error(`the benchmark call was not executed: ${JSON.stringify(result)}`);
  };
  for (let i = 0; i < warmup; i++) await execute(`warmup-${i}`, false);
  const samples = new Float64Array(calls);
  const gc = { count: 0, totalMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++;
      gc.totalMs += entry.duration;
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    await execute(`call-${i}`, true);
    samples[i] = elapsedUs(start) / 1_000;
  }
  const wallMs = elapsedUs(started) / 1_000;
  observer.disconnect();
  const verified = await audit.verify();
  if (!verified.ok) throw new Error(`the audit chain does not verify after the benchmark: ${verified.reason}`);
  if (verified.rows !== 2 * (warmup + calls)) throw new Error(`expected ${2 * (warmup + calls)} audit rows, found ${verified.rows}`);
  const latencyMs = summarize([...samples]);
  // The calls at or past the p99, to show where the tail's time goes.
  const slowest = [...samples.keys()].filter((i) => samples[i]! >= latencyMs.p99);
  const slowMeanMs = slowest.reduce((a, i) => a + samples[i]!, 0) / Math.max(1, slowest.length);
  return { latencyMs, slowMeanMs, perSecond: (calls * 1_000) / wallMs, auditRows: verified.rows, ports: timer.summary(slowest), gc };
}
