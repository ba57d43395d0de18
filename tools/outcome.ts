import { errorMessage, isAutopilotError } from "../core/index.js";
import { isUpstreamError } from "./http.js";
import type { ToolOutcome } from "./tool.js";

/** Turns anything a tool threw into an error outcome a model can read and act on. */
export function errorOutcome(error: unknown, summary?: string): ToolOutcome<never> {
  if (isUpstreamError(error)) {
    return {
      status: "error",
      summary: summary ?? error.message,
      error: {
        code: error.code,
        message: error.message,
        system: error.system,
        request: error.request,
        upstream_status: error.status,
        upstream_message: error.upstreamMessage,
        retryable: error.retryable,
      },
    };
  }
  const code = isAutopilotError(error) ? error.code : "tool_failed";
  const message = errorMessage(error);
  return { status: "error", summary: summary ?? message, error: { code, message, retryable: false } };
}
