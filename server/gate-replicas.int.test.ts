/**
 * Two replicas' policy gates over one database. Each keeps what it read for a cycle and decides
 * its next call on it (policies/gate.ts), so what must hold is that a change made through the other
 * replica (a kill switch, a gate override, a cycle limit) still decides the very next call.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { DEFAULT_TRIGGER_CONTRACT, SimulatedClock, withGateOverrides, type Environment, type TriggerContract } from "../core/index.js";
import { createPolicyGate, DEFAULT_POLICY_DIR, loadPolicyEngine, type CallScope, type PolicyEngine } from "../policies/index.js";
import { ALL_TOOLS, defineTool, type ToolClients } from "../tools/index.js";
import {
  createApprovalsRepo,
  createAuditRepo,
  createFlagsRepo,
  createGateOverridesRepo,
  createGateStateRepo,
  createQuotasRepo,
  migrate,
  openDatabase,
  openTestDatabase,
  type Database,
} from "./store/index.js";

const NOW = new Date("2026-11-21T09:00:00Z");
const seen: TriggerContract[] = [];
const TRAIN = defineTool({
  name: "dvc_replica_probe",
  system: "dvc",
  title: "Replica probe",
  description: "A write that records the gate rules it was run under.",
  input: z.object({ call: z.string().describe("a label") }),
  flags: { readOnly: false, destructive: false, idempotent: true, openWorld: false },
  run: async (_input, ctx) => {
    seen.push(ctx.contract);
    return { status: "success", summary: "probed", data: null };
  },
});

/** One replica: its own repositories (and so its own remembered head and settings) over `db`. */
function replica(db: Database, engine: PolicyEngine) {
  const overrides = createGateOverridesRepo(db);
  const flags = createFlagsRepo(db);
  const gate = createPolicyGate({
    engine,
    tools: [TRAIN],
    clients: {} as ToolClients,
    audit: createAuditRepo(db),
    approvals: createApprovalsRepo(db),
    flags,
    quotas: createQuotasRepo(db),
    state: createGateStateRepo(db),
    contract: async (environment: Environment) => withGateOverrides(DEFAULT_TRIGGER_CONTRACT, await overrides.list(environment)),
    clock: new SimulatedClock({ start: NOW }),
    sandbox: false,
    cycleBudgetUsd: 5,
  });
  return { gate, flags, overrides };
}

const scope = (cycleId: string): CallScope => ({ cycleId, environment: "production", phase: "train", gatePassed: false, gateNeedsApproval: false, spentUsd: 0 });
const call = (cycleId: string, label: string) => ({ principal: { type: "Agent" as const, id: "ml-engineer" }, tool: TRAIN.name, input: { call: label }, scope: scope(cycleId) });

const backends: Array<[string, () => Promise<Database>]> = [
  [
    "PGlite",
    async () => {
      const db = await openDatabase({ dataDir: "memory://", poolMax: 8 });
      await migrate(db);
      return db;
    },
  ],
];
if (process.env.DATABASE_URL) backends.push(["PostgreSQL", () => openTestDatabase()]);

describe.each(backends)("two replicas' gates on %s", (_label, open) => {
  let db: Database;
  let engine: PolicyEngine;
  beforeAll(async () => {
    db = await open();
    engine = await loadPolicyEngine(DEFAULT_POLICY_DIR, [...ALL_TOOLS, TRAIN]);
    // No daily cycle limit to begin with, so calls need no reservation and settings are kept.
    await createFlagsRepo(db).set("max_cycles_per_day", "production", { enabled: false }, "ada", NOW);
  });
  afterAll(() => db?.close());

  it("stops a cycle's very next call when the other replica throws the kill switch, and resumes it after", async () => {
    const a = replica(db, engine);
    const b = replica(db, engine);
    expect((await a.gate.execute(call("si_kill", "1"))).status).toBe("executed");
    expect((await a.gate.execute(call("si_kill", "2"))).status).toBe("executed");
    await b.flags.set("kill_switch", "production", { enabled: true }, "ada", NOW);
    const stopped = await a.gate.execute(call("si_kill", "3"));
    expect(stopped.status).toBe("denied");
    if (stopped.status === "denied") expect(stopped.decision.hardStop).toBe(true);
    await b.flags.set("kill_switch", "production", { enabled: false }, "ada", NOW);
    expect((await a.gate.execute(call("si_kill", "4"))).status).toBe("executed");

    const trail = await createAuditRepo(db).list({ cycleId: "si_kill", limit: 100 });
    expect(trail.filter((r) => r.kind === "policy_decision").map((r) => r.decision)).toEqual(["allow", "allow", "deny", "allow"]);
    expect(await createAuditRepo(db).verify()).toMatchObject({ ok: true });
  });

  it("runs the next call under a gate override the other replica set", async () => {
    const a = replica(db, engine);
    const b = replica(db, engine);
    seen.length = 0;
    await a.gate.execute(call("si_override", "1"));
    const rules = [{ kind: "relative_gain", metric: "recall_at_20", fraction: 0.05 }];
    await b.overrides.set({ environment: "production", signal: "recall_drop", rules, reason: "stricter", by: "ada", now: NOW });
    expect((await a.gate.execute(call("si_override", "2"))).status).toBe("executed");
    expect(seen.map((c) => c.signals.recall_drop?.gate)).toEqual([DEFAULT_TRIGGER_CONTRACT.signals.recall_drop?.gate, rules]);
    await b.overrides.remove("production", "recall_drop");
  });

  it("lets only one of two cycles on two replicas take the day's last slot set by the other", async () => {
    const a = replica(db, engine);
    const b = replica(db, engine);
    // Both replicas have read (and kept) the settings of their cycles before the limit is set.
    expect((await a.gate.execute(call("si_slot_a", "1"))).status).toBe("executed");
    expect((await b.gate.execute(call("si_slot_b", "1"))).status).toBe("executed");
    await b.flags.set("max_cycles_per_day", "production", { enabled: true, metadata: { limit: 1 } }, "ada", NOW);
    const results = await Promise.all([a.gate.execute(call("si_slot_a", "2")), b.gate.execute(call("si_slot_b", "2"))]);
    expect(results.map((r) => r.status).sort()).toEqual(["denied", "executed"]);
    await b.flags.set("max_cycles_per_day", "production", { enabled: false }, "ada", NOW);
  });
});
