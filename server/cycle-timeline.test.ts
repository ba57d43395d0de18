import { describe, expect, it } from "vitest";
import { buildTimeline } from "./cycle-timeline.js";
import { cycleRows } from "./testing/cycle-audit-fixture.js";

describe("buildTimeline", () => {
  const steps = buildTimeline(cycleRows());

  it("makes one line of a tool call from its decision to its result, paired by call hash even when results interleave", () => {
    const write = steps.find((s) => s.tool === "gitops_write_values")!;
    expect(write).toMatchObject({ kind: "tool_call", agent: "devops", step: "promote", decision: "allow", reasons: ["auto_promote is on"], status: "success", summary: "Committed 8362b60", duration_ms: 20, input: { app: "search" } });
    const syncs = steps.filter((s) => s.tool === "argocd_sync_application" && s.kind === "tool_call");
    expect(syncs.map((s) => [s.decision, s.status])).toEqual([
      ["require_approval", "awaiting_approval"],
      ["allow", "success"],
    ]);
    expect(syncs[1]).toMatchObject({ approval_id: "ap_1", duration_ms: 78 });
  });

  it("shows a denied call with the policy's reason and a call still running as running", () => {
    expect(steps.find((s) => s.tool === "mlflow_set_model_alias")).toMatchObject({ status: "denied", summary: "Not run: the kill switch is on", duration_ms: null });
    expect(steps.at(-1)).toMatchObject({ tool: "argocd_get_application", status: "running" });
  });

  it("keeps the cycle's start, the supervisor's moves, the approvals and the finished steps as lines of their own", () => {
    expect(steps.map((s) => s.kind)).toEqual(["cycle", "supervisor", "tool_call", "tool_call", "approval", "approval", "tool_call", "tool_call", "tool_call", "tool_call", "step", "tool_call"]);
    expect(steps[0]!.summary).toBe("Started by SearchRelevanceDegraded (signal ndcg_drop, service search)");
    expect(steps[1]).toMatchObject({ decision: "assign:promote", reasons: ["Promote the candidate."], summary: "Assign promote to devops" });
    expect(steps[5]).toMatchObject({ agent: "olivia", status: "approved", summary: "olivia approved argocd_sync_application: looks good", approval_id: "ap_1" });
  });
});
