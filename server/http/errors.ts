import type { Context } from "hono";
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

/** Renders any error as `{ error: { code, message, details } }` with a fitting status. */
export function renderError(error: unknown, c: Context, logger: Logger): Response {
  const requestId = c.get("requestId" as never) as string | undefined;
  if (error instanceof HttpError) return c.json<ErrorBody>({ error: { code: error.code, message: error.message, details: { ...error.details, request_id: requestId } } }, error.status);
  if (isStoreError(error) && (error.code === "store_not_found" || error.code === "store_conflict")) {
    const status = error.code === "store_not_found" ? 404 : 409;
    return c.json<ErrorBody>({ error: { code: error.code, message: error.message, details: { request_id: requestId } } }, status);
  }
  logger.error({ err: errorMessage(error), code: isAutopilotError(error) ? error.code : undefined, request_id: requestId }, "request failed");
  return c.json<ErrorBody>({ error: { code: "internal_error", message: "the server could not complete the request", details: { request_id: requestId } } }, 500);
}
