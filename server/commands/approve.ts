import type { Config } from "../config.js";
import { apiClientFor, type ApiClientOptions } from "./api-client.js";

/** An approval as the API answers a decision (the fields this command prints). */
interface DecidedApproval {
  id: string;
  cycleId: string | null;
  tool: string;
  status: string;
  decidedBy: string | null;
  decisionReason: string | null;
}

/**
 * `autopilot approve ID [--reason R]` and `autopilot reject ID --reason R`: answer a pending
 * approval through the running server, as the token's principal, so the role and the policies
 * decide whether this operator may; a parked cycle resumes with the answer.
 */
export async function runApproveCommand(
  config: Pick<Config, "client">,
  args: { decision: "approve" | "reject"; id?: string; reason?: string },
  out: (line: string) => void,
  options: Pick<ApiClientOptions, "fetch"> = {},
): Promise<number> {
  const reason = args.reason?.trim();
  if (!args.id) {
    out(`usage: autopilot ${args.decision} APPROVAL_ID ${args.decision === "reject" ? "--reason R" : "[--reason R]"}`);
    out("`autopilot cycles --status awaiting_approval` shows the approval each parked cycle waits for.");
    return 2;
  }
  if (args.decision === "reject" && !reason) {
    out("a rejection needs a reason: autopilot reject ID --reason R");
    return 2;
  }
  const { approval } = await apiClientFor(config, options).request<{ approval: DecidedApproval }>(
    "POST",
    `/api/v1/approvals/${encodeURIComponent(args.id)}/${args.decision}`,
    reason ? { reason } : {},
  );
  const cycle = approval.cycleId ? ` of cycle ${approval.cycleId}` : "";
  out(`${approval.status} ${approval.id}: ${approval.tool}${cycle}, by ${approval.decidedBy ?? "?"}${approval.decisionReason ? ` (${approval.decisionReason})` : ""}`);
  if (approval.cycleId) out(`the cycle resumes; follow it with \`autopilot cycles\` or in the console at ${config.client.url}/`);
  return 0;
}
