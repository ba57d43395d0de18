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
 * The supervisor picks the next step among the moves the loop allows (routes.ts): monitor,
 * diagnose, augment, train, evaluate, A/B, promote, watch, rollback. Each specialist works its
 * step in turns; every tool call goes through the policy gate in `tools`, which may pause the
 * cycle for a human's approval.
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
