import { policyToJson, policyToText } from "@cedar-policy/cedar-wasm/nodejs";
import { describe, expect, it } from "vitest";
import { specializePolicy } from "./specialize.js";

const PROMOTE_IN_PRODUCTION = { environment: "production", phase: "promote" };

/** The policy `permit (principal, action, resource) <conditions>;` specialised, as Cedar prints it (one line), or null. */
function specialized(conditions: string, known: Record<string, string> = PROMOTE_IN_PRODUCTION): string | null {
  const parsed = policyToJson(`permit (principal, action, resource) ${conditions};`);
  if (parsed.type === "failure") throw new Error(parsed.errors.map((e) => e.message).join("; "));
  const policy = specializePolicy(parsed.json, known);
  if (policy === null) return null;
  const printed = policyToText(policy);
  if (printed.type === "failure") throw new Error(printed.errors.map((e) => e.message).join("; "));
  return printed.text.replace(/\s+/g, " ").replace("permit(principal, action, resource)", "").trim().replace(/;$/, "");
}

describe("specializePolicy", () => {
  it("replaces the known fields and drops the clauses they settle true", () => {
    expect(specialized(`when { context.environment == "production" && context.phase == "promote" && context.auto_promote }`)).toBe(
      "when { context.auto_promote }",
    );
    expect(specialized(`when { context.environment != "dev" || context.sandbox }`)).toBe("");
    expect(specialized(`when { ["ab_test", "promote"].contains(context.phase) } unless { context.environment == "dev" }`)).toBe("");
    expect(specialized(`when { !(context.phase == "rollback") && context.approved }`)).toBe("when { context.approved }");
    expect(specialized(`when { if context.environment == "production" then context.auto_promote else context.sandbox }`)).toBe(
      "when { context.auto_promote }",
    );
  });

  it("keeps what the known fields do not settle", () => {
    expect(specialized(`when { context.auto_promote && context.canary_weight <= 20 }`)).toBe("when { context.auto_promote && (context.canary_weight <= 20) }");
    // Not settled by equality, so left to Cedar with the value in place.
    expect(specialized(`when { context.phase like "pro*" }`)).toBe('when { "promote" like "pro*" }');
    expect(specialized(`when { context has phase }`)).toBe("when { context has phase }");
    expect(specialized(`when { context.approved }`, {})).toBe("when { context.approved }");
  });

  it("rules the policy out where a clause settles it false and nothing before can fail", () => {
    expect(specialized(`when { context.environment == "dev" && context.sandbox }`)).toBeNull();
    expect(specialized(`when { context.approved } when { context.phase == "rollback" }`)).toBeNull();
    expect(specialized(`when { context.approved } unless { context.environment == "production" }`)).toBeNull();
    // `approved` cannot fail, so `approved && false` is false whatever it is.
    expect(specialized(`when { context.approved && context.phase == "rollback" }`)).toBeNull();
    expect(specialized(`when { principal is Autopilot::Agent && context.phase == "rollback" }`)).toBeNull();
  });

  it("keeps every error Cedar would raise before reaching the settled part", () => {
    // The multiplication overflows for every weight but 0, and Cedar evaluates it before the phase.
    expect(specialized(`when { context.canary_weight * 4000000000000000 * 4000000000000000 > 0 && context.phase == "rollback" }`)).toBe(
      "when { ((context.canary_weight * 4000000000000000 * 4000000000000000) > 0) && false }",
    );
    expect(specialized(`when { context.canary_weight * 4000000000000000 * 4000000000000000 > 0 } when { context.phase == "rollback" } when { context.approved }`)).toBe(
      "when { (context.canary_weight * 4000000000000000 * 4000000000000000) > 0 } when { false }",
    );
    // An attribute of an entity fails when the entity is missing.
    expect(specialized(`when { principal.role == "admin" || context.phase == "promote" }`)).toBe('when { (principal.role == "admin") || true }');
  });

  it("drops what Cedar would never evaluate, failing or not", () => {
    expect(specialized(`when { context.phase == "rollback" && context.canary_weight * 4000000000000000 * 4000000000000000 > 0 }`)).toBeNull();
    expect(specialized(`when { context.environment == "production" || principal.role == "admin" }`)).toBe("");
  });
});
