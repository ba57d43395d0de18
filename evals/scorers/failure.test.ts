import { describe, expect, it } from "vitest";
import { scoreFailure } from "./failure.js";
import { report, run } from "./test-support.js";

describe("scoreFailure", () => {
  const failure = { code: "upstream", message: "answered 503", system: "h2o", retryable: true, step: "train", tool: "h2o_train_model" };
  const escalated = report("c1", [], { outcome: "escalated", failure, outcome_reason: "train did not complete: h2o_train_model failed: h2o: POST /3/ImportFiles answered 503" });
  it("finds the failing system, tool and cause in a report", () => {
    expect(scoreFailure(run({ outcome: "escalated" }, [escalated]), { failing_system: "h2o", failing_tool: "h2o_train_model", cause: "answered 503" }).passed).toBe(true);
    const wrong = scoreFailure(run({ outcome: "escalated" }, [escalated]), { failing_system: "mlflow", cause: "answered 503" });
    expect(wrong.passed).toBe(false);
    expect(wrong.detail).toMatch(/^expected mlflow, "answered 503"; reports: h2o\/h2o_train_model: train did not complete/);
  });
});
