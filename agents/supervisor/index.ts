import { z } from "zod";
import { OUTCOMES } from "../../core/index.js";

/** The supervisor's two decision tools: they steer the graph and touch no system. */
export const ASSIGN_TASK = "assign_task";
/** Name of the tool that ends a cycle. */
export const FINISH_CYCLE = "finish_cycle";

/** Input of assign_task. */
export const AssignTaskInput = z.object({
  step: z.string().describe("The id of one of the allowed steps, e.g. 'diagnose' or 'ab_test.canary'."),
  instructions: z.string().max(2000).describe("What the agent must do, in one to three sentences, with the ids it needs."),
});

/** Input of finish_cycle. */
export const FinishCycleInput = z.object({
  outcome: z.enum(OUTCOMES).describe("How the cycle ends; must be one of the allowed finish moves."),
  reason: z.string().max(2000).describe("Why, in one or two sentences, for the cycle report."),
});

/** The supervisor's decision tools as LangChain tool descriptions (for bindTools). */
export const supervisorTools = [
  { name: ASSIGN_TASK, description: "Assign the next step of the loop to the agent that owns it.", schema: AssignTaskInput },
  { name: FINISH_CYCLE, description: "End the cycle with an outcome and a reason.", schema: FinishCycleInput },
];
