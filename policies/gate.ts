import { hash } from "node:crypto";
import { canonicalJson, errorMessage, redactSecrets, systemClock, type Clock, type Environment, type Phase, type TriggerContract } from "../core/index.js";
import { errorOutcome, type AnyTool, type ToolClients, type ToolContext, type ToolOutcome } from "../tools/index.js";
import type { Decision, PolicyRequest } from "./engine.js";
import { buildPolicyContext, denyDecision, enforceObligations, quotaPeriod, readQuotaState, reserveQuotas, reservesQuotas, type ContextFacts, type QuotaState } from "./gate-context.js";
import type { AuditPort, ApprovalsPort, FlagSnapshot, FlagsPort, GateStatePort, QuotasPort } from "./ports.js";

/** Who calls a tool. */
export interface Principal {
  type: "Agent" | "Operator" | "McpClient";
  id: string;
  role?: string;
}

/** The facts of the cycle a call belongs to; they come from recorded findings, never from a model. */
export interface CallScope {
  cycleId: string | null;
  environment: Environment;
  phase: Phase | "none";
  gatePassed: boolean;
  gateNeedsApproval: boolean;
  /** What the cycle has spent so far, in USD. */
  spentUsd: number;
}

/** The scope of a call made outside any cycle (a person in the chat, an assistant over MCP, the console), in an environment. */
export function outsideCycleScope(environment: Environment): CallScope {
  return { cycleId: null, environment, phase: "none", gatePassed: false, gateNeedsApproval: false, spentUsd: 0 };
}

/** One tool call presented to the gate. */
export interface ToolCallRequest {
  principal: Principal;
  tool: string;
  input: unknown;
  scope: CallScope;
  /** An approval granted for exactly this call (same tool, input and cycle). */
  approvalId?: string;
  signal?: AbortSignal;
}

/** What the gate did with a call. */
export type GateResult =
  | { status: "executed"; decision: Decision; callHash: string; outcome: ToolOutcome; durationMs: number }
  | { status: "denied"; decision: Decision; callHash: string }
  | { status: "approval_required"; decision: Decision; callHash: string; input: Record<string, unknown> }
  | { status: "invalid"; callHash: string | null; message: string };

/** Everything the gate needs; the clients are handed to it and to nothing else. */
export interface PolicyGateDeps {
  engine: { decide(request: PolicyRequest): Decision };
  tools: readonly AnyTool[];
  clients: ToolClients;
  audit: AuditPort;
  approvals: ApprovalsPort;
  flags: FlagsPort;
  quotas: QuotasPort;
  /**
   * The version of the flags, overrides and quotas. With it (and audit.appendIfState) a call
   * decides on what the gate read for its cycle before and records the decision only if that
   * version still holds: one round trip instead of two. Without it every call reads afresh.
   */
  state?: GateStatePort;
  /** The trigger contract in force in an environment (defaults plus admins' gate overrides). */
  contract: (environment: Environment) => Promise<TriggerContract>;
  clock: Clock;
  /** Wall-clock time for approvals, which humans answer (defaults to the system clock). */
  wallClock?: Clock;
  /** The systems behind the tools are the built-in sandbox. */
  sandbox: boolean;
  /** Spending limit of one cycle in USD (model tokens and tool costs). */
  cycleBudgetUsd: number;
  paraphrase?: ToolContext["paraphrase"];
  /** Secret values that must never leave through tool output or errors. */
  secrets?: readonly string[];
}

/** The policy gate: the only way a tool executes. */
export interface PolicyGate {
  /** Decides a call without running it or auditing it (pre-flight and "what would happen if"). */
  check(request: ToolCallRequest): Promise<{ decision: Decision | null; callHash: string | null; invalid?: string }>;
  /** Decides a call, audits the decision, and runs the tool only when allowed. */
  execute(request: ToolCallRequest): Promise<GateResult>;
  /** Decides an operator action that is not a tool (approve, reject, kill_switch, set_flag). */
  decideOperatorAction(principal: Principal, action: string, environment: Environment): Promise<Decision>;
  /** The tools the gate knows, by name. */
  tool(name: string): AnyTool | undefined;
}

/**
 * Hash binding an approval to one exact call: tool, canonical input and cycle. The same digest as
 * core's sha256Hex, taken in one shot: no Hash object, whose native half V8 tracks through a weak
 * handle on every young-generation collection (the gate hashes on every call).
 */
export function callHash(tool: string, input: unknown, cycleId: string | null): string {
  return hash("sha256", canonicalJson({ tool, input, cycle_id: cycleId }), "hex");
}

/** What a decision reads from storage, and the gate state's version it was read at (null without a GateStatePort). */
interface Settings {
  flags: FlagSnapshot;
  contract: TriggerContract;
  quota: QuotaState;
  version: number | null;
}

/** How many (environment, cycle, day) settings the gate keeps for deciding again. */
const MAX_REMEMBERED = 256;

/** Creates the policy gate. */
export function createPolicyGate(deps: PolicyGateDeps): PolicyGate {
  const byName = new Map(deps.tools.map((t) => [t.name, t] as const));
  type Prepared = { error: string } | { tool: AnyTool; input: Record<string, unknown>; hash: string };

  function prepare(req: ToolCallRequest): Prepared {
    const tool = byName.get(req.tool);
    if (!tool) return { error: `unknown tool "${req.tool}"` };
    const parsed = tool.input.safeParse(req.input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ");
      return { error: `invalid input for ${tool.name}: ${issues}` };
    }
    const input = parsed.data as Record<string, unknown>;
    return { tool, input, hash: callHash(tool.name, input, req.scope.cycleId) };
  }

  const facts = (req: ToolCallRequest, input: Record<string, unknown>, approved: boolean): ContextFacts => ({
    environment: req.scope.environment,
    phase: req.scope.phase,
    cycleId: req.scope.cycleId,
    gatePassed: req.scope.gatePassed,
    gateNeedsApproval: req.scope.gateNeedsApproval,
    spentUsd: req.scope.spentUsd,
    sandbox: deps.sandbox,
    approved,
    input,
  });

  /**
   * Everything a decision reads from the database, read at once (one batched SELECT, one
   * snapshot): the environment's flags and contract, today's quotas (which depend on no flag) and
   * the version they are at.
   */
  const settings = async (environment: Environment, cycleId: string | null, now: Date): Promise<Settings> => {
    const [flags, contract, quota, version] = await Promise.all([
      deps.flags.forEnvironment(environment),
      deps.contract(environment),
      readQuotaState(deps.quotas, environment, cycleId, now),
      deps.state ? deps.state.version() : null,
    ]);
    return { flags, contract, quota, version };
  };

  // The settings last read per environment, cycle and quota day, kept only when the version
  // guard can vouch for them: a decision made on them is recorded only while the version holds.
  const remembered = new Map<string, Settings>();
  const guarded = deps.state !== undefined && deps.audit.appendIfState !== undefined;
  const settingsKey = (scope: CallScope, now: Date) => `${scope.environment}\n${scope.cycleId ?? ""}\n${quotaPeriod(now)}`;
  const remember = (key: string, read: Settings) => {
    if (!guarded || read.version === null) return;
    remembered.delete(key);
    if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
    remembered.set(key, read);
  };

  /** The decision on a call and the exact request it was made on (kept in the audit for replay). */
  async function decide(req: ToolCallRequest, tool: AnyTool, input: Record<string, unknown>, approved: boolean, reserve: boolean, read: Promise<Settings>, now: Date) {
    let request: PolicyRequest | null = null;
    try {
      const { flags, contract, quota } = await read;
      const context = buildPolicyContext(facts(req, input, approved), { flags, quota, now, contract, cycleBudgetUsd: deps.cycleBudgetUsd });
      request = {
        principal: { type: req.principal.type, id: req.principal.id, role: req.principal.role },
        action: tool.name,
        resource: { type: "Environment", id: req.scope.environment },
        context,
      };
      const decision = enforceObligations(deps.engine.decide(request), input);
      if (decision.outcome !== "allow" || !reserve || tool.flags.readOnly) return { decision, request };
      return { decision: (await reserveQuotas(facts(req, input, approved), { flags, quotas: deps.quotas, now, holdsSlot: quota.holdsSlot })) ?? decision, request };
    } catch (error) {
      // Fail closed: whatever went wrong while deciding is a deny.
      return { decision: denyDecision(`the policy decision could not be made: ${errorMessage(error)}`), request };
    }
  }

  /** A call that changes a system and, if allowed, has quota to reserve: reservations are made on fresh reads only. */
  const reserves = (req: ToolCallRequest, tool: AnyTool, input: Record<string, unknown>, approved: boolean, read: Settings) =>
    !tool.flags.readOnly && reservesQuotas(facts(req, input, approved), read.flags, read.quota.holdsSlot);

  /** Appends an audit row; with a `stateVersion`, only while the gate state is at it (false otherwise). */
  async function audit(req: ToolCallRequest, kind: string, tool: string, decision: string | undefined, data: unknown, stateVersion: number | null = null): Promise<boolean> {
    const entry = { at: deps.clock.now(), cycleId: req.scope.cycleId, kind, actor: { type: req.principal.type, id: req.principal.id }, tool, decision, data };
    if (stateVersion !== null && deps.audit.appendIfState) return (await deps.audit.appendIfState(entry, stateVersion)) !== null;
    await deps.audit.append(entry);
    return true;
  }

  async function run(tool: AnyTool, input: Record<string, unknown>, req: ToolCallRequest, contract: TriggerContract): Promise<ToolOutcome> {
    // One controller and one timer, both let go when the call ends. AbortSignal.timeout() with a
    // listener on it would keep the signal, the listener and the call's closures alive until it
    // fires (tool.timeoutMs later), however soon the tool returns.
    const controller = new AbortController();
    let finish!: (outcome: ToolOutcome) => void;
    const timedOut = new Promise<ToolOutcome>((resolve) => (finish = resolve));
    const stop = (reason: unknown) => {
      controller.abort(reason);
      // A tool that ignores its signal still cannot hold the cycle past its timeout.
      finish({
        status: "error",
        summary: `${tool.name} did not finish within ${Math.round(tool.timeoutMs / 1000)} s`,
        error: { code: "tool_timeout", message: `${tool.name} timed out`, retryable: true },
      });
    };
    const onCallerAbort = () => stop(req.signal?.reason);
    // The reason AbortSignal.timeout() gives, which the HTTP clients pass on.
    const timer = setTimeout(() => stop(new DOMException("The operation was aborted due to timeout", "TimeoutError")), tool.timeoutMs);
    if (req.signal?.aborted) onCallerAbort();
    else req.signal?.addEventListener("abort", onCallerAbort, { once: true });
    const ctx: ToolContext = {
      clients: deps.clients,
      clock: deps.clock,
      signal: controller.signal,
      environment: req.scope.environment,
      contract,
      cycleId: req.scope.cycleId,
      paraphrase: deps.paraphrase,
    };
    try {
      return await Promise.race([tool.run(input, ctx).catch((error: unknown) => errorOutcome(error)), timedOut]);
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener("abort", onCallerAbort);
    }
  }

  function scrub(outcome: ToolOutcome): ToolOutcome {
    const secrets = deps.secrets ?? [];
    if (secrets.length === 0) return outcome;
    return JSON.parse(redactSecrets(JSON.stringify(outcome), secrets)) as ToolOutcome;
  }

  return {
    tool: (name) => byName.get(name),

    async check(req) {
      const prepared = prepare(req);
      if ("error" in prepared) return { decision: null, callHash: null, invalid: prepared.error };
      const now = deps.clock.now();
      const { decision } = await decide(req, prepared.tool, prepared.input, false, false, settings(req.scope.environment, req.scope.cycleId, now), now);
      return { decision, callHash: prepared.hash };
    },

    async decideOperatorAction(principal, action, environment) {
      try {
        const now = deps.clock.now();
        const { flags, contract, quota } = await settings(environment, null, now);
        const base: ContextFacts = { environment, phase: "none", cycleId: null, gatePassed: false, gateNeedsApproval: false, spentUsd: 0, sandbox: deps.sandbox, approved: false, input: {} };
        const context = buildPolicyContext(base, { flags, quota, now, contract, cycleBudgetUsd: deps.cycleBudgetUsd });
        return deps.engine.decide({ principal, action, resource: { type: "Environment", id: environment }, context });
      } catch (error) {
        return denyDecision(`the policy decision could not be made: ${errorMessage(error)}`);
      }
    },

    async execute(req) {
      const prepared = prepare(req);
      if ("error" in prepared) {
        await audit(req, "tool_call_invalid", req.tool, "deny", { message: prepared.error });
        return { status: "invalid", callHash: null, message: prepared.error };
      }
      const { tool, input, hash } = prepared;
      let approved = false;
      if (req.approvalId) {
        const approval = await deps.approvals.consume(req.approvalId, hash, (deps.wallClock ?? systemClock).now());
        if (!approval) {
          const decision = denyDecision(`approval ${req.approvalId} is not valid for this call (unknown, not approved, expired, used, or for another call)`);
          await audit(req, "policy_decision", tool.name, "deny", { input, call_hash: hash, reasons: decision.reasons, approval_id: req.approvalId });
          return { status: "denied", decision, callHash: hash };
        }
        approved = true;
      }
      const now = deps.clock.now();
      const key = settingsKey(req.scope, now);
      // The decision (and the exact request, so it can be replayed) is on record before anything runs.
      const record = (decision: Decision, request: PolicyRequest | null, stateVersion: number | null) =>
        audit(
          req,
          "policy_decision",
          tool.name,
          decision.outcome,
          {
            input,
            call_hash: hash,
            phase: req.scope.phase,
            reasons: decision.reasons,
            policies: decision.policies,
            obligations: decision.obligations,
            hard_stop: decision.hardStop,
            approval_id: req.approvalId ?? null,
            request,
          },
          stateVersion,
        );
      let decided: { decision: Decision; read: Promise<Settings> } | null = null;
      const kept = guarded ? remembered.get(key) : undefined;
      if (kept) {
        // Decided again on what this cycle's last call read, and recorded only if none of it has
        // changed since (on any replica); otherwise, and when quota is to be reserved, read afresh.
        const read = Promise.resolve(kept);
        const { decision, request } = await decide(req, tool, input, approved, false, read, now);
        const reserving = decision.outcome === "allow" && reserves(req, tool, input, approved, kept);
        if (!reserving && (await record(decision, request, kept.version))) decided = { decision, read };
        else remembered.delete(key);
      }
      if (!decided) {
        const read = settings(req.scope.environment, req.scope.cycleId, now);
        const { decision, request } = await decide(req, tool, input, approved, true, read, now);
        await record(decision, request, null);
        const fresh = await read.catch(() => null);
        // A reservation moves the version, so what was read before it is not worth keeping.
        if (fresh && !reserves(req, tool, input, approved, fresh)) remember(key, fresh);
        decided = { decision, read };
      }
      const { decision, read } = decided;
      if (decision.outcome === "deny") return { status: "denied", decision, callHash: hash };
      if (decision.outcome === "require_approval") return { status: "approval_required", decision, callHash: hash, input };
      const started = Date.now();
      // An allow was decided on settings that were read, so `read` has resolved: the tool sees the gate rules the decision saw.
      const result = scrub(await run(tool, input, req, (await read).contract));
      const durationMs = Date.now() - started;
      await audit(req, "tool_result", tool.name, result.status, {
        call_hash: hash,
        status: result.status,
        summary: result.summary,
        duration_ms: durationMs,
        error: result.status === "error" ? result.error : undefined,
        artifacts: result.status === "success" ? (result.artifacts ?? []).map((a) => a.name) : [],
      });
      return { status: "executed", decision, callHash: hash, outcome: result, durationMs };
    },
  };
}
