import { getEventListeners } from "node:events";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { DEFAULT_TRIGGER_CONTRACT, SimulatedClock } from "../core/index.js";
import { defineTool, type AnyTool, type ToolClients, type ToolOutcome } from "../tools/index.js";
import { loadPolicyEngine, DEFAULT_POLICY_DIR, type PolicyEngine } from "./index.js";
import { callHash, createPolicyGate, type CallScope, type PolicyGateDeps } from "./gate.js";
import type { AuditEntry, FlagSnapshot, QuotasPort } from "./ports.js";
import { flagsFor } from "./testing/flags.js";


/** A tool whose runs are counted, so a test can prove a denied call never ran. */
function spyTool(name: string, system: AnyTool["system"], flags: Partial<AnyTool["flags"]>, run?: () => Promise<ToolOutcome>) {
  const calls: unknown[] = [];
  const signals: AbortSignal[] = [];
  const tool = defineTool({
    name,
    system,
    title: name,
    description: name,
    input: z.object({ target: z.string().describe("what to act on"), canary_weight: z.number().optional().describe("percent") }),
    flags: { readOnly: false, destructive: false, idempotent: true, openWorld: true, ...flags },
    timeoutMs: 200,
    run: async (input, ctx) => {
      calls.push(input);
      signals.push(ctx.signal);
      return run ? run() : { status: "success", summary: `did ${name} on ${input.target} with token s3cr3t-value`, data: { ok: true } };
    },
  });
  return { tool, calls, signals };
}

const read = spyTool("prometheus_read_thing", "prometheus", { readOnly: true });
const write = spyTool("h2o_train_thing", "h2o", {});
const deploy = spyTool("argocd_sync_thing", "argocd", { destructive: true, idempotent: false });
const hang = spyTool("h2o_hang_thing", "h2o", {}, () => new Promise(() => undefined));
// The shipped policies name the autopilot's own system, so its schema needs one of its write tools.
const request = spyTool("autopilot_queue_thing", "autopilot", { openWorld: false });
const tools = [read.tool, write.tool, deploy.tool, hang.tool, request.tool];

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await loadPolicyEngine(DEFAULT_POLICY_DIR, tools);
});

/** Quotas in memory: the gate's use of them, not their atomicity (server/store tests that). */
function memoryQuotas(): QuotasPort & { slots: Map<string, Set<string>>; spend: Map<string, number> } {
  const slots = new Map<string, Set<string>>();
  const spend = new Map<string, number>();
  const held = new Map<string, number>();
  const key = (env: string, period: string) => `${env}:${period}`;
  return {
    slots,
    spend,
    state: async (env, period, cycle) => ({
      cycles: slots.get(key(env, period))?.size ?? 0,
      spentUsd: spend.get(key(env, period)) ?? 0,
      holdsSlot: cycle !== null && (slots.get(key(env, period))?.has(cycle) ?? false),
    }),
    async reserveCycleSlot({ environment, period, cycleId, limit }) {
      const set = slots.get(key(environment, period)) ?? new Set<string>();
      slots.set(key(environment, period), set);
      if (!set.has(cycleId) && set.size >= limit) return { ok: false, used: set.size };
      set.add(cycleId);
      return { ok: true, used: set.size };
    },
    async reserveSpend({ environment, period, cycleId, amountUsd, budgetUsd }) {
      const used = spend.get(key(environment, period)) ?? 0;
      if (used + amountUsd > budgetUsd) return { ok: false, used };
      spend.set(key(environment, period), used + amountUsd);
      held.set(cycleId, (held.get(cycleId) ?? 0) + amountUsd);
      return { ok: true, used: used + amountUsd };
    },
    reservedBy: async (_env, _period, cycleId) => held.get(cycleId) ?? 0,
  };
}

function setup(patch: { flags?: Partial<FlagSnapshot>; consume?: (id: string, hash: string) => boolean; engine?: PolicyGateDeps["engine"]; quotas?: ReturnType<typeof memoryQuotas> } = {}) {
  const audit: AuditEntry[] = [];
  const events: string[] = [];
  const gate = createPolicyGate({
    engine: patch.engine ?? engine,
    tools,
    clients: {} as ToolClients,
    audit: {
      append: async (e) => {
        audit.push(e);
        events.push(`audit:${e.kind}`);
        return { seq: audit.length, hash: "h" };
      },
    },
    approvals: { consume: async (id, hash) => (patch.consume?.(id, hash) ? { id, decidedBy: "olivia" } : null) },
    flags: { forEnvironment: async () => flagsFor(patch.flags) },
    quotas: patch.quotas ?? memoryQuotas(),
    contract: async () => DEFAULT_TRIGGER_CONTRACT,
    clock: new SimulatedClock({ start: new Date("2026-11-20T08:00:00Z") }),
    sandbox: true,
    cycleBudgetUsd: 5,
    secrets: ["s3cr3t-value"],
  });
  return { gate, audit, events };
}

const agent = { type: "Agent" as const, id: "devops" };
const scope = (patch: Partial<CallScope> = {}): CallScope => ({ cycleId: "si_2026_11_20_001", environment: "production", phase: "promote", gatePassed: true, gateNeedsApproval: false, spentUsd: 0, ...patch });

describe("the policy gate", () => {
  it("writes the decision before the tool runs, then the result", async () => {
    const { gate, audit } = setup();
    const before = write.calls.length;
    const result = await gate.execute({ principal: agent, tool: "h2o_train_thing", input: { target: "m" }, scope: scope({ phase: "train" }) });
    expect(result.status).toBe("executed");
    expect(write.calls.length).toBe(before + 1);
    expect(audit.map((a) => a.kind)).toEqual(["policy_decision", "tool_result"]);
    expect(audit[0]).toMatchObject({ decision: "allow", tool: "h2o_train_thing", cycleId: "si_2026_11_20_001" });
  });

  it("never runs a denied call: a deploy during diagnosis, or anything but reads under the kill switch", async () => {
    const { gate, audit } = setup();
    const result = await gate.execute({ principal: agent, tool: "argocd_sync_thing", input: { target: "search" }, scope: scope({ phase: "diagnose", gatePassed: false }) });
    expect(result.status).toBe("denied");
    expect(deploy.calls).toHaveLength(0);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.decision).toBe("deny");

    const killed = setup({ flags: { killSwitch: true } });
    const stopped = await killed.gate.execute({ principal: agent, tool: "h2o_train_thing", input: { target: "m" }, scope: scope({ phase: "train" }) });
    expect(stopped.status).toBe("denied");
    if (stopped.status === "denied") expect(stopped.decision.hardStop).toBe(true);
    expect((await killed.gate.execute({ principal: agent, tool: "prometheus_read_thing", input: { target: "x" }, scope: scope() })).status).toBe("executed");
  });

  it("asks for approval without running, and runs only with an approval bound to that exact call", async () => {
    const { gate } = setup({ flags: { autoPromote: false } });
    const req = { principal: agent, tool: "argocd_sync_thing", input: { target: "search" }, scope: scope() };
    const asked = await gate.execute(req);
    expect(asked.status).toBe("approval_required");
    expect(deploy.calls).toHaveLength(0);
    const hash = callHash("argocd_sync_thing", { target: "search" }, "si_2026_11_20_001");
    const approved = setup({ flags: { autoPromote: false }, consume: (id, h) => id === "ap_1" && h === hash });
    expect((await approved.gate.execute({ ...req, approvalId: "ap_1" })).status).toBe("executed");
    expect(deploy.calls).toHaveLength(1);
    // The same approval presented for another input is refused.
    const other = await approved.gate.execute({ ...req, input: { target: "billing" }, approvalId: "ap_1" });
    expect(other.status).toBe("denied");
    expect(deploy.calls).toHaveLength(1);
  });

  it("fails closed when the engine or the flags cannot answer", async () => {
    const broken = setup({
      engine: {
        decide: () => {
          throw new Error("wasm trap");
        },
      },
    });
    const result = await broken.gate.execute({ principal: agent, tool: "h2o_train_thing", input: { target: "m" }, scope: scope() });
    expect(result.status).toBe("denied");
    if (result.status === "denied") expect(result.decision.reasons[0]).toContain("wasm trap");
  });

  it("refuses unknown tools and invalid inputs with a reason a model can act on", async () => {
    const { gate, audit } = setup();
    expect(await gate.execute({ principal: agent, tool: "argocd_delete_everything", input: {}, scope: scope() })).toMatchObject({ status: "invalid", message: 'unknown tool "argocd_delete_everything"' });
    const invalid = await gate.execute({ principal: agent, tool: "h2o_train_thing", input: { target: 3 }, scope: scope() });
    expect(invalid).toMatchObject({ status: "invalid" });
    if (invalid.status === "invalid") expect(invalid.message).toMatch(/^invalid input for h2o_train_thing: target:/);
    expect(audit.every((a) => a.kind === "tool_call_invalid")).toBe(true);
  });

  it("lets a canary of at most 20% run by itself and makes a bigger one wait for a human", async () => {
    const { gate } = setup();
    const runs = deploy.calls.length;
    const over = await gate.execute({ principal: agent, tool: "argocd_sync_thing", input: { target: "s", canary_weight: 50 }, scope: scope({ phase: "ab_test" }) });
    expect(over.status).toBe("approval_required");
    expect(deploy.calls.length).toBe(runs);
    const within = await gate.execute({ principal: agent, tool: "argocd_sync_thing", input: { target: "s", canary_weight: 20 }, scope: scope({ phase: "ab_test" }) });
    expect(within.status).toBe("executed");
  });

  it("enforces the obligations an allow carries, and denies one it does not know", async () => {
    const allowWith = (...obligations: Array<{ key: string; value: string }>): PolicyGateDeps["engine"] => ({
      decide: () => ({ outcome: "allow", reasons: ["test"], policies: ["p"], hardStop: false, obligations, errors: [] }),
    });
    const req = { principal: agent, tool: "h2o_train_thing", input: { target: "m", canary_weight: 30 }, scope: scope() };
    expect((await setup({ engine: allowWith({ key: "canary_max_percent", value: "20" }) }).gate.execute(req)).status).toBe("denied");
    expect((await setup({ engine: allowWith({ key: "canary_max_percent", value: "40" }) }).gate.execute(req)).status).toBe("executed");
    expect((await setup({ engine: allowWith({ key: "dry_run_only", value: "true" }) }).gate.execute(req)).status).toBe("denied");
    const unknown = await setup({ engine: allowWith({ key: "notify_pager", value: "x" }) }).gate.execute(req);
    expect(unknown.status).toBe("denied");
    if (unknown.status === "denied") expect(unknown.decision.reasons[0]).toContain('unknown obligation "notify_pager"');
  });

  it("bounds a tool that never returns by its timeout, and keeps secrets out of its output", async () => {
    const { gate } = setup();
    const hung = await gate.execute({ principal: agent, tool: "h2o_hang_thing", input: { target: "m" }, scope: scope({ phase: "train" }) });
    expect(hung.status).toBe("executed");
    if (hung.status === "executed") expect(hung.outcome).toMatchObject({ status: "error", error: { code: "tool_timeout" } });
    expect(hang.signals.at(-1)?.reason).toMatchObject({ name: "TimeoutError" });
    const done = await gate.execute({ principal: agent, tool: "h2o_train_thing", input: { target: "m" }, scope: scope({ phase: "train" }) });
    if (done.status !== "executed") throw new Error("expected the call to run");
    expect(done.outcome.summary).toContain("[REDACTED]");
    expect(done.outcome.summary).not.toContain("s3cr3t-value");
  });

  it("aborts the tool with the caller's signal, and keeps no hold on that signal once a call ends", async () => {
    const { gate } = setup();
    const caller = new AbortController();
    const call = (tool: string) => gate.execute({ principal: agent, tool, input: { target: "m" }, scope: scope({ phase: "train" }), signal: caller.signal });
    expect((await call("h2o_train_thing")).status).toBe("executed");
    expect(getEventListeners(caller.signal, "abort")).toHaveLength(0);
    const stopping = call("h2o_hang_thing");
    setTimeout(() => caller.abort(new Error("the cycle was stopped")), 10);
    expect(await stopping).toMatchObject({ status: "executed", outcome: { status: "error", error: { code: "tool_timeout" } } });
    expect(hang.signals.at(-1)?.reason).toEqual(new Error("the cycle was stopped"));
    expect(getEventListeners(caller.signal, "abort")).toHaveLength(0);
  });

  it("takes the cycle's slot of the day when it first changes something, and stops a cycle that finds the day full", async () => {
    const quotas = memoryQuotas();
    const { gate } = setup({ flags: { maxCyclesPerDay: { enabled: true, limit: 1 } }, quotas });
    const first = await gate.execute({ principal: agent, tool: "h2o_train_thing", input: { target: "m" }, scope: scope({ phase: "train" }) });
    expect(first.status).toBe("executed");
    expect((await quotas.state("production", "2026-11-20", "si_2026_11_20_001")).holdsSlot).toBe(true);
    // The same cycle keeps its slot; reads never take one.
    expect((await gate.execute({ principal: agent, tool: "h2o_train_thing", input: { target: "n" }, scope: scope({ phase: "train" }) })).status).toBe("executed");
    expect((await gate.execute({ principal: agent, tool: "prometheus_read_thing", input: { target: "x" }, scope: scope({ cycleId: "si_2026_11_20_002" }) })).status).toBe("executed");
    const second = await gate.execute({ principal: agent, tool: "h2o_train_thing", input: { target: "m" }, scope: scope({ phase: "train", cycleId: "si_2026_11_20_002" }) });
    expect(second.status).toBe("denied");
    if (second.status === "denied") {
      expect(second.decision.hardStop).toBe(true);
      expect(second.decision.reasons[0]).toContain("cycle limit is reached");
    }
  });

  it("reserves the cycle's spend against the day's budget and stops it when the budget would be passed", async () => {
    const quotas = memoryQuotas();
    const { gate } = setup({ flags: { costOptimization: { enabled: true, budgetUsdPerDay: 1 } }, quotas });
    const spent = (usd: number) => scope({ phase: "train", spentUsd: usd });
    expect((await gate.execute({ principal: agent, tool: "h2o_train_thing", input: { target: "m" }, scope: spent(0.4) })).status).toBe("executed");
    expect((await gate.execute({ principal: agent, tool: "h2o_train_thing", input: { target: "m" }, scope: spent(0.9) })).status).toBe("executed");
    expect(quotas.spend.get("production:2026-11-20")).toBeCloseTo(0.9);
    const over = await gate.execute({ principal: agent, tool: "h2o_train_thing", input: { target: "m" }, scope: spent(1.3) });
    expect(over.status).toBe("denied");
    if (over.status === "denied") expect(over.decision.reasons[0]).toContain("daily budget of 1 USD");
  });

  it("decides operator actions by role: admins may stop the optimizer, operators may approve, viewers neither", async () => {
    const { gate } = setup();
    const admin = { type: "Operator" as const, id: "ada", role: "admin" };
    const operator = { type: "Operator" as const, id: "olivia", role: "operator" };
    const viewer = { type: "Operator" as const, id: "victor", role: "viewer" };
    expect((await gate.decideOperatorAction(admin, "kill_switch", "production")).outcome).toBe("allow");
    expect((await gate.decideOperatorAction(operator, "kill_switch", "production")).outcome).toBe("deny");
    expect((await gate.decideOperatorAction(operator, "approve", "production")).outcome).toBe("allow");
    expect((await gate.decideOperatorAction(viewer, "approve", "production")).outcome).toBe("deny");
  });

  it("exposes tool definitions and decisions, never the clients", () => {
    const { gate } = setup();
    expect(Object.keys(gate).sort()).toEqual(["check", "decideOperatorAction", "execute", "tool"]);
    expect(gate.tool("h2o_train_thing")?.name).toBe("h2o_train_thing");
  });
});

/**
 * A gate over storage with a gate-state version, as server/store has it: every change to the
 * flags or the quotas moves the version, and the guarded append refuses a stale one.
 */
function versionedSetup(initial: Partial<FlagSnapshot> = {}) {
  let flags = flagsFor(initial);
  let version = 0;
  const reads = { flags: 0 };
  const audit: AuditEntry[] = [];
  const quotas = memoryQuotas();
  const append = (e: AuditEntry) => {
    audit.push(e);
    return { seq: audit.length, hash: "h" };
  };
  const gate = createPolicyGate({
    engine,
    tools,
    clients: {} as ToolClients,
    audit: { append: async (e) => append(e), appendIfState: async (e, at) => (at === version ? append(e) : null) },
    approvals: { consume: async () => null },
    flags: {
      forEnvironment: async () => {
        reads.flags++;
        return flags;
      },
    },
    quotas: {
      ...quotas,
      reserveCycleSlot: async (input) => {
        version++;
        return quotas.reserveCycleSlot(input);
      },
    },
    state: { version: async () => version },
    contract: async () => DEFAULT_TRIGGER_CONTRACT,
    clock: new SimulatedClock({ start: new Date("2026-11-20T08:00:00Z") }),
    sandbox: true,
    cycleBudgetUsd: 5,
  });
  return {
    gate,
    audit,
    reads,
    quotas,
    /** An admin's change on any replica: the flags and the version move together. */
    setFlags(patch: Partial<FlagSnapshot>) {
      flags = flagsFor({ ...initial, ...patch });
      version++;
    },
  };
}

describe("the policy gate deciding again on what it read (gate-state version)", () => {
  const train = (cycleId = "si_2026_11_20_001") => ({ principal: agent, tool: "h2o_train_thing", input: { target: "m" }, scope: scope({ phase: "train", cycleId }) });
  const noLimits = { maxCyclesPerDay: { enabled: false, limit: 20 }, costOptimization: { enabled: false, budgetUsdPerDay: 500 } };

  it("reads once for a cycle's calls while nothing it decides on has changed", async () => {
    const { gate, audit, reads } = versionedSetup(noLimits);
    for (let i = 0; i < 3; i++) expect((await gate.execute(train())).status).toBe("executed");
    expect(reads.flags).toBe(1);
    expect(audit.map((a) => a.kind)).toEqual(["policy_decision", "tool_result", "policy_decision", "tool_result", "policy_decision", "tool_result"]);
    // Another cycle reads its own (its quota state is its own).
    await gate.execute(train("si_2026_11_20_002"));
    expect(reads.flags).toBe(2);
  });

  it("reads afresh when anything changed since, so a kill switch thrown elsewhere stops the very next call", async () => {
    const { gate, audit, reads, setFlags } = versionedSetup(noLimits);
    const ranBefore = write.calls.length;
    expect((await gate.execute(train())).status).toBe("executed");
    setFlags({ killSwitch: true });
    const stopped = await gate.execute(train());
    expect(stopped.status).toBe("denied");
    if (stopped.status === "denied") expect(stopped.decision.hardStop).toBe(true);
    expect(write.calls.length).toBe(ranBefore + 1);
    expect(reads.flags).toBe(2);
    // The allow decided on the stale read was never recorded: the trail holds the fresh deny only.
    expect(audit.map((a) => `${a.kind}:${a.decision}`)).toEqual(["policy_decision:allow", "tool_result:success", "policy_decision:deny"]);
  });

  it("makes quota reservations on fresh reads only, and keeps nothing read before a reservation", async () => {
    const { gate, reads, quotas } = versionedSetup({ maxCyclesPerDay: { enabled: true, limit: 1 } });
    expect((await gate.execute(train())).status).toBe("executed"); // takes the day's only slot: fresh
    expect((await gate.execute(train())).status).toBe("executed"); // holds it now: fresh, then kept
    expect((await gate.execute(train())).status).toBe("executed"); // kept
    expect(reads.flags).toBe(2);
    expect(quotas.slots.get("production:2026-11-20")?.size).toBe(1);
    const other = await gate.execute(train("si_2026_11_20_002"));
    expect(other.status).toBe("denied");
    if (other.status === "denied") expect(other.decision.reasons[0]).toContain("the cycle limit is reached");
  });

  it("reads afresh for every call without a version to check (no GateStatePort)", async () => {
    const { gate, reads } = setupCounting();
    for (let i = 0; i < 3; i++) await gate.execute(train());
    expect(reads.flags).toBe(3);
  });
});

/** The plain setup, counting flag reads. */
function setupCounting() {
  const reads = { flags: 0 };
  const gate = createPolicyGate({
    engine,
    tools,
    clients: {} as ToolClients,
    audit: { append: async () => ({ seq: 1, hash: "h" }) },
    approvals: { consume: async () => null },
    flags: {
      forEnvironment: async () => {
        reads.flags++;
        return flagsFor({ maxCyclesPerDay: { enabled: false, limit: 20 } });
      },
    },
    quotas: memoryQuotas(),
    contract: async () => DEFAULT_TRIGGER_CONTRACT,
    clock: new SimulatedClock({ start: new Date("2026-11-20T08:00:00Z") }),
    sandbox: true,
    cycleBudgetUsd: 5,
  });
  return { gate, reads };
}
