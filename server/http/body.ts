import type { Context } from "hono";
import type { z } from "zod";
import { HttpError } from "./errors.js";

/** `path: message` for each problem of a zod error (the API's validation messages). */
export function zodProblems(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`);
}

/**
 * Reads and validates a JSON body: 400 `invalid_json` when it does not parse, 400 `invalid_body`
 * (or `code`) naming every problem when it does not fit `schema`. An empty body reads as `{}` when
 * `emptyAsObject`.
 */
export async function readBody<T>(c: Context, schema: z.ZodType<T>, options: { emptyAsObject?: boolean; code?: string; describe?: (problems: string[]) => string } = {}): Promise<T> {
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() || !options.emptyAsObject) {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new HttpError(400, "invalid_json", "the body is not valid JSON");
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = zodProblems(parsed.error);
    throw new HttpError(400, options.code ?? "invalid_body", options.describe?.(problems) ?? problems.join("; "), { problems });
  }
  return parsed.data;
}
