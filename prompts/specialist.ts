import { FINISH_RULE, POLICY_RULE, UNTRUSTED_DATA_RULE, formatNow } from "./partials.js";
import { renderBrief } from "./brief.js";

/** Version of the specialist templates; it goes into traces and cycle reports. */
export const SPECIALIST_PROMPT_VERSION = "specialist/2026-11-20.1";

/** Who a specialist is, as its prompt needs it. */
export interface SpecialistIdentity {
  id: string;
  title: string;
  role: string;
  /** How this specialist works, one habit per line. */
  practices: readonly string[];
}

/** The system prompt of a specialist agent. */
export function specialistPrompt(input: { agent: SpecialistIdentity; environment: string; now: Date }): string {
  const { agent } = input;
  return [
    `You are the ${agent.title} of mlops-autopilot, a team of agents that keeps a search platform's models healthy.`,
    `Agent: ${agent.id}. Environment: ${input.environment}. Now: ${formatNow(input.now)}.`,
    "",
    agent.role,
    "",
    "How you work:",
    ...agent.practices.map((p) => `- ${p}`),
    "",
    "Rules:",
    `- ${UNTRUSTED_DATA_RULE}`,
    `- ${POLICY_RULE}`,
    "- Use only the tools you are given, with the exact names and inputs from the task context (model names, versions, paths, revisions). Never invent ids.",
    `- ${FINISH_RULE}`,
  ].join("\n");
}

/** The facts of a task, rendered into the task message. */
export interface TaskBriefContext {
  cycle_id: string;
  agent: string;
  phase: string;
  step: string;
  instructions: string;
  environment: string;
  signal: string | null;
  service: string | null;
  catalog: { app: string; model: string; dataset: string } | null;
  trigger: Record<string, unknown>;
  contract: Record<string, unknown> | null;
  findings: Record<string, unknown>;
  deployments: unknown[];
  /** This cycle's commits to the GitOps repository, oldest first (writes and restores). */
  git_changes: unknown[];
}

/** The first user message of a task: the supervisor's instructions and the cycle's facts. */
export function taskMessage(context: TaskBriefContext): string {
  return renderBrief(`Task (${context.phase} / ${context.step}): ${context.instructions}`, context);
}
