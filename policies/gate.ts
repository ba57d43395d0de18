import {
  canonicalJson,
  errorMessage,
  redactSecrets,
  sha256Hex,
  systemClock,
  type Clock,
  type Environment,
  type Phase,
  type TriggerContract,
} from "../core/index.js";
import { errorOutcome, type AnyTool, type ToolClients, type ToolContext, type ToolOutcome } from "../tools/index.js";
import type { PolicyContext } from "./context.js";
import type { Decision, PolicyRequest } from "./engine.js";
import type { AuditPort, ApprovalsPort, CyclesPort, FlagsPort } from "./ports.js";

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
  cycles: CyclesPort;
  clock: Clock;
  /** Wall-clock time for approvals, which humans answer (defaults to the system clock). */
  wallClock?: Clock;
  contract: TriggerContract;
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
  /** The tools the gate knows, by name. */
  tool(name: string): AnyTool | undefined;
}

/** Hash binding an approval to one exact call: tool, canonical input and cycle. */
export function callHash(tool: string, input: unknown, cycleId: string | null): string {
  return sha256Hex(canonicalJson({ tool, input, cycle_id: cycleId }));
}

/** Creates the policy gate. */
export function createPolicyGate(deps: PolicyGateDeps): PolicyGate {
  const byName = new Map(deps.tools.map((t) => [t.name, t] as const));

  type Prepared = { error: string } | { tool: AnyTool; input: Record<string, unknown>; hash: string };
  async function prepare(req: ToolCallRequest): Promise<Prepared> {
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

  async function decide(req: ToolCallRequest, tool: AnyTool, input: Record<string, unknown>, approved: boolean): Promise<Decision> {
    try {
      const context = await buildContext(req, input, approved);
      const decision = deps.engine.decide({
        principal: { type: req.principal.type, id: req.principal.id, role: req.principal.role },
        action: tool.name,
        resource: { type: "Environment", id: req.scope.environment },
        context,
      });
      return enforceObligations(decision, input);
    } catch (error) {
      // Fail closed: whatever went wrong while deciding is a deny.
      return denyDecision(`the policy decision could not be made: ${errorMessage(error)}`);
    }
  }

  async function buildContext(req: ToolCallRequest, input: Record<string, unknown>, approved: boolean): Promise<PolicyContext> {
    const now = deps.clock.now();
    const flags = await deps.flags.forEnvironment(req.scope.environment);
    const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const cyclesToday = flags.maxCyclesPerDay.enabled ? await deps.cycles.countCreatedSince(dayStart) : 0;
    const inFreezeWindow = flags.changeFreeze.windows.some((w) => new Date(w.start) <= now && now < new Date(w.end));
    const weight = typeof input.canary_weight === "number" ? input.canary_weight : req.scope.phase === "ab_test" ? deps.contract.abTrafficPercent : 100;
    return {
      environment: req.scope.environment,
      sandbox: deps.sandbox,
      kill_switch: flags.killSwitch,
      change_freeze: flags.changeFreeze.enabled || inFreezeWindow,
      auto_promote: flags.autoPromote,
      auto_rollback: flags.autoRollback,
      ab_testing: flags.abTesting.enabled,
      manual_approval_required: flags.manualApprovalRequired,
      budget_exhausted: req.scope.spentUsd >= deps.cycleBudgetUsd,
      cycle_limit_reached: flags.maxCyclesPerDay.enabled && cyclesToday > flags.maxCyclesPerDay.limit,
      approved,
      gate_passed: req.scope.gatePassed,
      gate_needs_approval: req.scope.gateNeedsApproval,
      phase: req.scope.phase,
      canary_weight: Math.round(weight),
      dry_run: input.dry_run === true,
    };
  }

  async function audit(req: ToolCallRequest, kind: string, tool: string, decision: string | undefined, data: unknown): Promise<void> {
    await deps.audit.append({
      at: deps.clock.now(),
      cycleId: req.scope.cycleId,
      kind,
      actor: { type: req.principal.type, id: req.principal.id },
      tool,
      decision,
      data,
    });
  }

  async function run(tool: AnyTool, input: Record<string, unknown>, req: ToolCallRequest): Promise<ToolOutcome> {
    const timeout = AbortSignal.timeout(tool.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const ctx: ToolContext = {
      clients: deps.clients,
      clock: deps.clock,
      signal,
      environment: req.scope.environment,
      contract: deps.contract,
      cycleId: req.scope.cycleId,
      paraphrase: deps.paraphrase,
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<ToolOutcome>((resolve) => {
      const onTimeout = () =>
        resolve({
          status: "error",
          summary: `${tool.name} did not finish within ${Math.round(tool.timeoutMs / 1000)} s`,
          error: { code: "tool_timeout", message: `${tool.name} timed out`, retryable: true },
        });
      if (signal.aborted) return onTimeout();
      signal.addEventListener("abort", onTimeout, { once: true });
      // A tool that ignores its signal still cannot hold the cycle past its timeout.
      timer = setTimeout(onTimeout, tool.timeoutMs + 1_000);
    });
    try {
      return await Promise.race([tool.run(input, ctx).catch((error: unknown) => errorOutcome(error)), timedOut]);
    } finally {
      clearTimeout(timer);
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
      const prepared = await prepare(req);
      if ("error" in prepared) return { decision: null, callHash: null, invalid: prepared.error };
      const decision = await decide(req, prepared.tool, prepared.input, false);
      return { decision, callHash: prepared.hash };
    },

    async execute(req) {
      const prepared = await prepare(req);
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
      const decision = await decide(req, tool, input, approved);
      // The decision is on record before anything runs.
      await audit(req, "policy_decision", tool.name, decision.outcome, {
        input,
        call_hash: hash,
        phase: req.scope.phase,
        reasons: decision.reasons,
        policies: decision.policies,
        obligations: decision.obligations,
        approval_id: req.approvalId ?? null,
      });
      if (decision.outcome === "deny") return { status: "denied", decision, callHash: hash };
      if (decision.outcome === "require_approval") return { status: "approval_required", decision, callHash: hash, input };
      const started = Date.now();
      const outcome = scrub(await run(tool, input, req));
      const durationMs = Date.now() - started;
      await audit(req, "tool_result", tool.name, outcome.status, {
        call_hash: hash,
        status: outcome.status,
        summary: outcome.summary,
        duration_ms: durationMs,
        error: outcome.status === "error" ? outcome.error : undefined,
        artifacts: outcome.status === "success" ? (outcome.artifacts ?? []).map((a) => a.name) : [],
      });
      return { status: "executed", decision, callHash: hash, outcome, durationMs };
    },
  };
}

/** Obligations are conditions an allow carries; the gate enforces them or denies. */
function enforceObligations(decision: Decision, input: Record<string, unknown>): Decision {
  if (decision.outcome !== "allow") return decision;
  for (const { key, value } of decision.obligations) {
    if (key === "canary_max_percent") {
      const weight = typeof input.canary_weight === "number" ? input.canary_weight : null;
      if (weight !== null && weight > Number(value)) return denyDecision(`obligation canary_max_percent=${value} not met: canary_weight is ${weight}`);
    } else if (key === "dry_run_only") {
      if (input.dry_run !== true) return denyDecision("obligation dry_run_only not met: the call is not a dry run");
    } else {
      return denyDecision(`unknown obligation "${key}" cannot be enforced`);
    }
  }
  return decision;
}

function denyDecision(reason: string): Decision {
  return { outcome: "deny", reasons: [reason], policies: [], hardStop: false, obligations: [], errors: [reason] };
}
