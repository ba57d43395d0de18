import type { TriggerContract } from "../core/index.js";
import type { PolicyContext } from "./context.js";
import type { Decision } from "./engine.js";
import type { FlagSnapshot, QuotasPort } from "./ports.js";

/** The facts of one call a decision is built from. */
export interface ContextFacts {
  environment: PolicyContext["environment"];
  phase: PolicyContext["phase"];
  cycleId: string | null;
  gatePassed: boolean;
  gateNeedsApproval: boolean;
  spentUsd: number;
  sandbox: boolean;
  approved: boolean;
  input: Record<string, unknown>;
}

/** The UTC day a quota period is counted in. */
export function quotaPeriod(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Today's quota usage of an environment, and whether the cycle already holds one of today's slots. */
export interface QuotaState {
  usage: { cycles: number; spentUsd: number };
  holdsSlot: boolean;
}

/** Reads the quota state a decision needs; it depends on no flag, so it runs beside the flags' read. */
export async function readQuotaState(quotas: QuotasPort, environment: PolicyContext["environment"], cycleId: string | null, now: Date): Promise<QuotaState> {
  const { cycles, spentUsd, holdsSlot } = await quotas.state(environment, quotaPeriod(now), cycleId);
  // A call outside a cycle takes no slot, so a reached limit does not stop it.
  return { usage: { cycles, spentUsd }, holdsSlot: cycleId === null || holdsSlot };
}

/**
 * The policy context of a call, from the environment's flags, today's quotas and the cycle's
 * recorded facts (never from what a model said).
 */
export function buildPolicyContext(
  facts: ContextFacts,
  deps: { flags: FlagSnapshot; quota: QuotaState; now: Date; contract: TriggerContract; cycleBudgetUsd: number },
): PolicyContext {
  const { flags, now } = deps;
  const { usage, holdsSlot } = deps.quota;
  const inFreezeWindow = flags.changeFreeze.windows.some((w) => new Date(w.start) <= now && now < new Date(w.end));
  const weight = typeof facts.input.canary_weight === "number" ? facts.input.canary_weight : facts.phase === "ab_test" ? deps.contract.abTrafficPercent : 100;
  const context: PolicyContext = {
    environment: facts.environment,
    sandbox: facts.sandbox,
    kill_switch: flags.killSwitch,
    change_freeze: flags.changeFreeze.enabled || inFreezeWindow,
    auto_promote: flags.autoPromote,
    auto_rollback: flags.autoRollback,
    ab_testing: flags.abTesting.enabled,
    manual_approval_required: flags.manualApprovalRequired,
    budget_exhausted: facts.spentUsd >= deps.cycleBudgetUsd || (flags.costOptimization.enabled && usage.spentUsd >= flags.costOptimization.budgetUsdPerDay),
    // A cycle that already holds its slot today keeps going; a new one finds the day full.
    cycle_limit_reached: flags.maxCyclesPerDay.enabled && !holdsSlot && usage.cycles >= flags.maxCyclesPerDay.limit,
    approved: facts.approved,
    gate_passed: facts.gatePassed,
    gate_needs_approval: facts.gateNeedsApproval,
    phase: facts.phase,
    canary_weight: Math.round(weight),
    dry_run: facts.input.dry_run === true,
  };
  return context;
}

/**
 * Reserves what an allowed call that changes a system consumes: the cycle's slot of the day and
 * the spend it made since its last reservation. Both are atomic in the database, so two cycles
 * racing for the last slot or dollar cannot both pass; the loser gets a hard-stop deny.
 */
export async function reserveQuotas(
  facts: ContextFacts,
  deps: { flags: FlagSnapshot; quotas: QuotasPort; now: Date; holdsSlot: boolean },
): Promise<Decision | null> {
  const { flags, quotas, now } = deps;
  if (!facts.cycleId || !reservesQuotas(facts, flags, deps.holdsSlot)) return null;
  const period = quotaPeriod(now);
  const cycleId = facts.cycleId;
  if (flags.maxCyclesPerDay.enabled && !deps.holdsSlot) {
    const slot = await quotas.reserveCycleSlot({ environment: facts.environment, period, cycleId, limit: flags.maxCyclesPerDay.limit, now });
    if (!slot.ok) return hardStop(`the daily limit of ${flags.maxCyclesPerDay.limit} cycles in ${facts.environment} is reached`);
  }
  // A cycle that has spent nothing has nothing to reserve (no query).
  if (flags.costOptimization.enabled && facts.spentUsd > 0) {
    const delta = facts.spentUsd - (await quotas.reservedBy(facts.environment, period, cycleId));
    if (delta > 0) {
      const spend = await quotas.reserveSpend({ environment: facts.environment, period, cycleId, amountUsd: delta, budgetUsd: flags.costOptimization.budgetUsdPerDay, now });
      if (!spend.ok) return hardStop(`the daily budget of ${flags.costOptimization.budgetUsdPerDay} USD in ${facts.environment} is exhausted`);
    }
  }
  return null;
}

/**
 * Whether an allowed call that changes a system has something to reserve (so reserveQuotas writes):
 * a cycle's first slot of the day, or spend under a daily budget.
 */
export function reservesQuotas(facts: ContextFacts, flags: FlagSnapshot, holdsSlot: boolean): boolean {
  if (!facts.cycleId) return false;
  return (flags.maxCyclesPerDay.enabled && !holdsSlot) || (flags.costOptimization.enabled && facts.spentUsd > 0);
}

/** A deny no approval can lift. */
export function hardStop(reason: string): Decision {
  return { outcome: "deny", reasons: [reason], policies: [], hardStop: true, obligations: [], errors: [] };
}

/** A deny with the reason, when no decision could be made. */
export function denyDecision(reason: string): Decision {
  return { outcome: "deny", reasons: [reason], policies: [], hardStop: false, obligations: [], errors: [reason] };
}

/** Obligations are conditions an allow carries; the gate enforces them or denies. */
export function enforceObligations(decision: Decision, input: Record<string, unknown>): Decision {
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
