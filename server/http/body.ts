import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { z } from "zod";
import { HttpError } from "./errors.js";

/** The part of a request a validator read, and how the API names it in codes and messages. */
const TARGETS: Record<string, { code: string; noun: string }> = {
  json: { code: "invalid_body", noun: "body" },
  form: { code: "invalid_body", noun: "body" },
  query: { code: "invalid_query", noun: "query" },
  param: { code: "invalid_path", noun: "path" },
  header: { code: "invalid_header", noun: "headers" },
  cookie: { code: "invalid_cookie", noun: "cookies" },
};

/** `path: message` for each problem of a zod error (the API's validation messages). */
function zodProblems(error: z.ZodError, noun = "body"): string[] {
  return error.issues.map((i) => `${i.path.join(".") || noun}: ${i.message}`);
}

/** What a route's zod validation reports to its hook. */
type ValidationResult = { target: string; success: true } | { target: string; success: false; error: z.ZodError };

/**
 * The OpenAPIHono `defaultHook`: a request that does not fit a route's schemas is refused with 400,
 * `invalid_body` / `invalid_query` / `invalid_path`, every problem named in the message and in
 * `details.problems`.
 */
export function validationHook(result: ValidationResult, _c: Context): undefined {
  if (result.success) return undefined;
  const { code, noun } = TARGETS[result.target] ?? { code: "invalid_request", noun: result.target };
  const problems = zodProblems(result.error, noun);
  throw new HttpError(400, code, problems.join("; "), { problems });
}

/**
 * A route-specific hook with its own code and message (the webhook's `invalid_payload`); the
 * problems stay in `details.problems`.
 */
export function validationHookWith(code: string, describe: (problems: string[]) => string) {
  return (result: ValidationResult, _c: Context): undefined => {
    if (result.success) return undefined;
    const problems = zodProblems(result.error, TARGETS[result.target]?.noun ?? result.target);
    throw new HttpError(400, code, describe(problems), { problems });
  };
}

/** Refuses a body over `maxBytes` with 413 before it is read (by Content-Length, or while streaming in). */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const size = maxBytes % 1024 === 0 ? `${maxBytes / 1024} KiB` : `${maxBytes} bytes`;
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new HttpError(413, "payload_too_large", `the body exceeds ${size}`, { limit_bytes: maxBytes });
    },
  });
}
