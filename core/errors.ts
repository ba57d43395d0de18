/**
 * The base error of the project. Each layer subclasses it once (ToolError, PolicyError,
 * StoreError, ...), sets `name`, and keeps the `cause`. `code` is a stable machine string;
 * `details` must never hold a secret.
 */
export class AutopilotError extends Error {
  override name = "AutopilotError";
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** Whether `error` is an AutopilotError (or a subclass). */
export function isAutopilotError(error: unknown): error is AutopilotError {
  return error instanceof AutopilotError;
}

/** A message for any thrown value, without stack traces. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
