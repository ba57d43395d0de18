import { AutopilotError } from "../core/index.js";

/** The base error of the policy layer. */
export class PolicyError extends AutopilotError {
  override name = "PolicyError";
}

/** Where a policy file is wrong and why. */
export interface PolicyProblem {
  /** The file as the caller named it. */
  file: string;
  /** 1-based line of the problem (0 when Cedar gave no location). */
  line: number;
  reason: string;
}

/**
 * A policy set that cannot be loaded: a syntax error, a strict-validation error against the
 * schema, or a missing or malformed annotation. Names the first problem; `problems` lists all.
 */
export class PolicyLoadError extends PolicyError {
  override name = "PolicyLoadError";
  readonly file: string;
  readonly line: number;
  readonly reason: string;
  readonly problems: readonly PolicyProblem[];

  constructor(problems: readonly [PolicyProblem, ...PolicyProblem[]]) {
    const [first] = problems;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
    super("policy_load_failed", `${first.file}:${first.line}: ${first.reason}${more}`, {
      details: { problems: problems.map((p) => ({ ...p })) },
    });
    this.file = first.file;
    this.line = first.line;
    this.reason = first.reason;
    this.problems = problems;
  }
}

/** Whether `error` is a PolicyLoadError. */
export function isPolicyLoadError(error: unknown): error is PolicyLoadError {
  return error instanceof PolicyLoadError;
}
