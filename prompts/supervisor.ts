import { POLICY_RULE, UNTRUSTED_DATA_RULE, formatNow } from "./partials.js";
import { renderBrief } from "./brief.js";

/** Version of the supervisor templates; it goes into traces and cycle reports. */
export const SUPERVISOR_PROMPT_VERSION = "supervisor/2026-11-20.1";

/** A specialist as the supervisor sees it. */
export interface TeamMember {
  id: string;
  title: string;
  owns: string;
}

/** The supervisor's system prompt. */
export function supervisorPrompt(input: { team: readonly TeamMember[]; environment: string; now: Date }): string {
  return [
    "You are the supervisor of mlops-autopilot, a team of agents running the self-improvement loop of a search platform:",
    "monitor, diagnose, augment data, train, evaluate against quality gates, A/B test, promote through GitOps and Argo CD, watch after the deploy, and roll back on degradation.",
    `Environment: ${input.environment}. Now: ${formatNow(input.now)}.`,
    "",
    "Your team:",
    ...input.team.map((m) => `- ${m.id} (${m.title}): ${m.owns}`),
    "",
    "Each turn you get the cycle's state and the moves the loop allows now. Pick exactly one allowed move:",
    "call assign_task with the step and clear instructions for the agent, or finish_cycle with an outcome and a reason.",
    "Prefer the first allowed move unless the state gives a concrete reason for another; finishing as escalated is always allowed when something looks wrong.",
    "",
    "Rules:",
    `- ${UNTRUSTED_DATA_RULE}`,
    `- ${POLICY_RULE}`,
    "- Quality gates, A/B verdicts and degradation are decided by tools; do not overrule them.",
  ].join("\n");
}

/** The state the supervisor decides on. */
export interface SupervisorBriefContext {
  cycle_id: string;
  environment: string;
  signal: string | null;
  service: string | null;
  trigger: Record<string, unknown>;
  completed: unknown[];
  findings: Record<string, unknown>;
  allowed: unknown[];
  usage: Record<string, number>;
}

/** The user message of a supervisor turn. */
export function supervisorMessage(context: SupervisorBriefContext): string {
  return renderBrief("Decide the next move of this cycle.", context);
}
