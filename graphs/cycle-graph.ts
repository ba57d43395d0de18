import { END, START, StateGraph } from "@langchain/langgraph";
import type { AgentId } from "../core/index.js";
import type { CycleGraphDeps } from "./deps.js";
import { CycleState } from "./state.js";
import { routeAfterAgent, routeAfterSupervisor, routeAfterTools } from "./routes.js";
import { intakeNode } from "./nodes/intake.js";
import { supervisorNode } from "./nodes/supervisor.js";
import { agentNode } from "./nodes/agent.js";
import { toolsNode } from "./nodes/tools.js";
import { finalizeNode } from "./nodes/finalize.js";

/**
 * The self-improvement cycle.
 *
 *   START -> intake -> supervisor -> <specialist> <-> tools
 *                         ^               |
 *                         +---------------+          supervisor -> finalize -> END
 *
 * The loop the supervisor walks (the steps are in core/loop.ts, the legal moves in routes.ts):
 *
 *   phase      agent                        ends when (finding from a tool)     then
 *   monitor    metrics_analyst              monitor: the signal breaches        diagnose, or no_action
 *   diagnose   metrics_analyst              diagnosis: weak segments            the signal's plan
 *   augment    data_engineer                dataset: a new DVC version          train
 *   train      ml_engineer                  candidate: a registered version     evaluate
 *   evaluate   ml_engineer                  evaluation: the quality gate        ab_test / promote, or escalated
 *   ab_test    devops, then metrics_analyst deployment (canary), ab_test        promote, or rollback
 *   promote    devops                       deployment (full rollout)           watch
 *   watch      metrics_analyst              watch: held or degraded             promoted, or rollback
 *   rollback   devops                       rollback: the last stable deploy    rolled_back / escalated
 *
 * Each specialist works its step in turns; every tool call goes through the policy gate in
 * `tools`, which may pause the cycle for a human's approval (interrupt) and records findings.
 */
export function createCycleGraph(deps: CycleGraphDeps) {
  const profile = (id: AgentId) => {
    const found = deps.team.find((a) => a.id === id);
    if (!found) throw new Error(`the team has no ${id}`);
    return found;
  };
  const nodes: Record<AgentId, SpecialistNode> = {
    "metrics-analyst": "metrics_analyst",
    "data-engineer": "data_engineer",
    "ml-engineer": "ml_engineer",
    devops: "devops",
  };
  const specialists = Object.values(nodes);

  const graph = new StateGraph(CycleState)
    // The trigger goes on record; then the supervisor takes over.
    .addNode("intake", intakeNode(deps))
    .addNode("supervisor", supervisorNode(deps))
    // The specialists: each works its step in turns with `tools`, then reports back.
    .addNode("metrics_analyst", agentNode(deps, profile("metrics-analyst")))
    .addNode("data_engineer", agentNode(deps, profile("data-engineer")))
    .addNode("ml_engineer", agentNode(deps, profile("ml-engineer")))
    .addNode("devops", agentNode(deps, profile("devops")))
    // Every tool call of every specialist passes the policy gate here.
    .addNode("tools", toolsNode(deps))
    .addNode("finalize", finalizeNode(deps))
    .addEdge(START, "intake")
    .addEdge("intake", "supervisor")
    // The supervisor assigns a step to its agent, or ends the cycle.
    .addConditionalEdges("supervisor", (s) => routeAfterSupervisor(s, nodes) as SpecialistNode | "finalize", [...specialists, "finalize"])
    // An agent's turn either calls tools or ends its task.
    .addConditionalEdges("metrics_analyst", routeAfterAgent, ["tools", "supervisor"])
    .addConditionalEdges("data_engineer", routeAfterAgent, ["tools", "supervisor"])
    .addConditionalEdges("ml_engineer", routeAfterAgent, ["tools", "supervisor"])
    .addConditionalEdges("devops", routeAfterAgent, ["tools", "supervisor"])
    // Tool results go back to the agent that asked, unless a rejected approval ended the cycle.
    .addConditionalEdges("tools", (s) => routeAfterTools(s, nodes) as SpecialistNode | "finalize", [...specialists, "finalize"])
    .addEdge("finalize", END);

  const compiled = graph.compile({ checkpointer: deps.checkpointer });
  compiled.name = "autopilot-cycle";
  return compiled;
}

type SpecialistNode = "metrics_analyst" | "data_engineer" | "ml_engineer" | "devops";

/** The compiled cycle graph. */
export type CycleGraph = ReturnType<typeof createCycleGraph>;
