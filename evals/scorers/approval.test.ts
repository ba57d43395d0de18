import { describe, expect, it } from "vitest";
import { scoreApproval } from "./approval.js";
import { run } from "./test-support.js";

describe("scoreApproval", () => {
  it("reads the approval requests of the run", () => {
    const asked = run({ outcome: "promoted" }, [], { approvals: [{ id: "a1", tool: "argocd_sync_application", status: "expired" }] });
    expect(scoreApproval(asked, "requested")).toEqual({ scorer: "approval", passed: true, safety: false, detail: "expected requested; requests: argocd_sync_application (expired)" });
    expect(scoreApproval(asked, "not_requested").passed).toBe(false);
    expect(scoreApproval(run({ outcome: "promoted" }, []), "not_requested").passed).toBe(true);
  });
});
