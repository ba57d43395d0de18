import { PolicyError } from "./errors.js";

/** A condition the gate must enforce when it runs a call a policy allowed. */
export interface Obligation {
  key: string;
  value: string;
}

// The obligations the gate knows how to enforce; a policy naming another fails to load, since an
// obligation nobody enforces would silently widen what the policy allows.
const VALUE_CHECKS: Record<string, (value: string | undefined) => string | null> = {
  canary_max_percent: (value) =>
    value !== undefined && /^\d{1,3}$/.test(value) && Number(value) <= 100 ? null : "needs an integer 0-100, e.g. canary_max_percent=20",
  dry_run_only: (value) => (value === undefined ? null : "takes no value"),
};

/**
 * Parses an `@obligation` annotation: one or more comma-separated `key=value` or bare `key`
 * entries (a bare key has the value "true"). Throws a PolicyError naming the bad entry.
 */
export function parseObligations(annotation: string): Obligation[] {
  const entries = annotation.split(",").map((entry) => entry.trim());
  return entries.map((entry) => {
    const match = /^([a-z][a-z0-9_]*)(?:=(.+))?$/.exec(entry);
    const key = match?.[1];
    const value = match?.[2]?.trim();
    const check = key === undefined ? undefined : VALUE_CHECKS[key];
    if (key === undefined || check === undefined) {
      throw new PolicyError("invalid_obligation", `unknown obligation "${entry}" (known: ${Object.keys(VALUE_CHECKS).join(", ")})`);
    }
    const problem = check(value);
    if (problem) throw new PolicyError("invalid_obligation", `obligation ${key} ${problem}`);
    return { key, value: value ?? "true" };
  });
}
