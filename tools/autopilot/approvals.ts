import { z } from "zod";
import { defineTool, type ToolOutcome } from "../tool.js";
import type { PendingApproval } from "./client.js";
import { AUTOPILOT_READ_FLAGS, compact, withAutopilot } from "./tool-support.js";

/** What `autopilot_list_approvals` returns. */
export interface ApprovalList {
  total: number;
  approvals: PendingApproval[];
}

const SHOWN = 25;

/** `autopilot_list_approvals`: the calls waiting for a human's approval. */
export const listApprovalsTool = defineTool({
  name: "autopilot_list_approvals",
  system: "autopilot",
  title: "List pending approvals",
  description:
    "Lists the tool calls waiting for a human's approval, oldest first: the approval id, the cycle (none for an operator's request), " +
    "the tool and its exact input, why the policy asks, who asked and when the request expires. Approving is done by an operator in the console or the API, not by a tool.",
  input: z.object({}),
  flags: AUTOPILOT_READ_FLAGS,
  timeoutMs: 15_000,
  run: (_input, ctx) =>
    withAutopilot(ctx, async (client): Promise<ToolOutcome<ApprovalList>> => {
      const all = await client.listApprovals();
      const approvals = all.slice(0, SHOWN).map((a) => ({ ...a, input: compact(a.input, 600) }));
      const data: ApprovalList = { total: all.length, approvals };
      if (all.length === 0) return { status: "no_data", summary: "no approval is pending", data };
      const list = approvals.map((a) => `${a.id} ${a.tool}${a.cycle_id ? ` (cycle ${a.cycle_id})` : " (operator request)"}`);
      return { status: "success", summary: `${all.length} pending approval${all.length === 1 ? "" : "s"}: ${list.join("; ")}${all.length > SHOWN ? ` and ${all.length - SHOWN} more` : ""}`, data };
    }),
});
