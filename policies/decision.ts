import type { Decision } from "./engine.js";
import type { Obligation } from "./obligations.js";
import type { PolicyInfo } from "./policy-set.js";

// How a Cedar answer becomes a Decision, shared by the engine and its reference (the equivalence
// tests compare how the two ask Cedar, not how they word the answer).

/** An allow or require_approval from the permits that decided it, with their obligations once each. */
export function granted(outcome: "allow" | "require_approval", permits: PolicyInfo[]): Decision {
  const obligations = new Map<string, Obligation>();
  for (const o of permits.flatMap((p) => p.obligations)) obligations.set(`${o.key}=${o.value}`, o);
  return { outcome, reasons: permits.map((p) => p.reason), policies: permits.map((p) => p.id), hardStop: false, obligations: [...obligations.values()], errors: [] };
}

/** A deny with its reasons, and the errors when it was not decided. */
export function deny(reasons: string[], errors: string[] = []): Decision {
  return { outcome: "deny", reasons, policies: [], hardStop: false, obligations: [], errors };
}

/** The policies' reasons, or the fallback when none decided. */
export function reasonsOr(policies: PolicyInfo[], fallback: string): string[] {
  return policies.length > 0 ? policies.map((p) => p.reason) : [fallback];
}
