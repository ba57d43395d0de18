import { z } from "zod";
import { EnvironmentSchema, PHASES } from "../core/index.js";

/** The phases a call can be made in: a loop phase, or "none" outside a cycle (chat, operators, MCP). */
export const POLICY_PHASES = [...PHASES, "none"] as const;

/** A phase a policy request is made in. */
export type PolicyPhase = (typeof POLICY_PHASES)[number];

/**
 * The context of every policy request: everything a decision depends on besides who calls what on
 * which resource. Every field is required and no other field is accepted, so a caller that forgets
 * one gets a deny naming it rather than a policy silently reading a default.
 */
export const PolicyContextSchema = z.strictObject({
  /** The environment the call acts in: dev, staging or production. */
  environment: EnvironmentSchema,
  /** The target systems are the built-in sandbox (evals/sandbox), so nothing real changes. */
  sandbox: z.boolean(),
  /** An operator pulled the kill switch: nothing that changes a system may run. */
  kill_switch: z.boolean(),
  /** A change freeze is in force (production deploys stop). */
  change_freeze: z.boolean(),
  /** Feature flag: promotions that pass the quality gate roll out without a human. */
  auto_promote: z.boolean(),
  /** Feature flag: a degraded deploy is rolled back without a human. */
  auto_rollback: z.boolean(),
  /** Feature flag: candidates go through an A/B canary before promotion. */
  ab_testing: z.boolean(),
  /** Feature flag: every promotion needs a human, whatever the gate says. */
  manual_approval_required: z.boolean(),
  /** The cycle's spending budget (LLM tokens, training compute) is used up. */
  budget_exhausted: z.boolean(),
  /** The number of cycles allowed in the current window is reached. */
  cycle_limit_reached: z.boolean(),
  /** A human approval for exactly this call (principal, tool, input) is attached. */
  approved: z.boolean(),
  /** The candidate this call concerns passed its quality gate (from the evaluation finding). */
  gate_passed: z.boolean(),
  /** The quality gate says promoting this candidate needs a human (e.g. a cost trade-off). */
  gate_needs_approval: z.boolean(),
  /** The loop phase the call is made in, or "none" outside a cycle. */
  phase: z.enum(POLICY_PHASES),
  /** The share of traffic, 0-100, a deploy gives the candidate (100 is a full rollout, 0 when not a deploy). */
  canary_weight: z.number().int().min(0).max(100),
  /** The call is a dry run: the tool reports what it would do and changes nothing. */
  dry_run: z.boolean(),
});

/** The context of a policy request; see PolicyContextSchema for each field. */
export type PolicyContext = z.infer<typeof PolicyContextSchema>;
