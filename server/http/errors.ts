import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "@hono/zod-openapi";
import { AutopilotError, errorMessage, isAutopilotError } from "../../core/index.js";
import { isStoreError } from "../store/index.js";
import type { Logger } from "../logger.js";

/** An error the API answers with its own status; it renders itself through the one error handler. */
export class HttpError extends AutopilotError {
  override name = "HttpError";
  readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503;

  constructor(status: HttpError["status"], code: string, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details });
    this.status = status;
  }
}

/** The single error shape of the API. */
export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

/** The error shape as a schema, for the OpenAPI document. */
export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ description: "A stable, machine-readable code (invalid_body, unauthenticated, forbidden, rate_limited, ...).", example: "invalid_body" }),
      message: z.string().openapi({ description: "What went wrong, for a person.", example: "reason: Invalid input: expected string, received undefined" }),
      details: z
        .object({ request_id: z.string().optional(), problems: z.array(z.unknown()).optional() })
        .catchall(z.unknown())
        .openapi({ description: "Always the request id; `problems` names every validation problem." }),
    }),
  })
  .openapi("Error");

/** Hono's own exceptions (a JSON body that does not parse, an unsupported media type) in the API's words. */
function fromHonoException(error: HTTPException): HttpError {
  if (error.status === 400 && /json/i.test(error.message)) return new HttpError(400, "invalid_json", "the body is not valid JSON");
  if (error.status === 415) return new HttpError(415, "unsupported_media_type", "send the body as application/json");
  if (error.status === 413) return new HttpError(413, "payload_too_large", "the body is too large");
  if (error.status === 401) return new HttpError(401, "unauthenticated", error.message || "authentication is required");
  if (error.status === 403) return new HttpError(403, "forbidden", error.message || "forbidden");
  if (error.status === 404) return new HttpError(404, "not_found", error.message || "not found");
  return new HttpError(400, "bad_request", error.message || "the request cannot be served");
}

/** Renders any error as `{ error: { code, message, details } }` with a fitting status; `details.request_id` is always set. */
export function renderError(error: unknown, c: Context, logger: Logger): Response {
  const requestId = c.get("requestId" as never) as string | undefined;
  const known = error instanceof HTTPException && error.status < 500 ? fromHonoException(error) : error;
  if (known instanceof HttpError) return c.json<ErrorBody>({ error: { code: known.code, message: known.message, details: { ...known.details, request_id: requestId } } }, known.status);
  if (isStoreError(known) && (known.code === "store_not_found" || known.code === "store_conflict")) {
    const status = known.code === "store_not_found" ? 404 : 409;
    return c.json<ErrorBody>({ error: { code: known.code, message: known.message, details: { request_id: requestId } } }, status);
  }
  logger.error({ err: errorMessage(error), code: isAutopilotError(error) ? error.code : undefined, request_id: requestId }, "request failed");
  return c.json<ErrorBody>({ error: { code: "internal_error", message: "the server could not complete the request", details: { request_id: requestId } } }, 500);
}
