import { UpstreamError } from "../http.js";

/** A validation message of an H2O model builder (`ValidationMessageV3`). */
export interface H2oValidationMessage {
  message_type?: string;
  field_name?: string;
  message?: string;
}

/**
 * An H2O job that ended FAILED or CANCELLED. It is an UpstreamError (so tool outcomes name the
 * system, the polled request and H2O's exception text) and therefore an AutopilotError.
 */
export class H2oJobError extends UpstreamError {
  override name = "H2oJobError";
  /** The job key (`job.key.name`). */
  readonly jobKey: string;
  /** The final job status, FAILED or CANCELLED. */
  readonly jobStatus: string;

  constructor(init: { jobKey: string; status: string; description?: string; exception?: string | null }) {
    const what = init.description ? `${init.description} job` : "job";
    const exception = init.exception?.trim() || undefined;
    super({
      system: "h2o",
      request: `GET /3/Jobs/${encodeURIComponent(init.jobKey)}`,
      upstreamMessage: exception?.slice(0, 2_000) ?? init.status,
      retryable: false,
      code: init.status === "CANCELLED" ? "h2o_job_cancelled" : "h2o_job_failed",
      message: `h2o: ${what} ${init.jobKey} ended ${init.status}${exception ? `: ${firstLine(exception)}` : ""}`,
    });
    this.jobKey = init.jobKey;
    this.jobStatus = init.status;
  }
}

/** Whether `error` is an H2oJobError. */
export function isH2oJobError(error: unknown): error is H2oJobError {
  return error instanceof H2oJobError;
}

/**
 * Extracts H2O's message from an `H2OErrorV3` body (`msg`, `exception_msg`). Model-builder
 * validation errors (`H2OModelBuilderErrorV3`) list their error messages per field instead.
 */
export function h2oErrorMessage(body: unknown, text: string): string | undefined {
  if (!body || typeof body !== "object") return text.trim().slice(0, 500) || undefined;
  const b = body as Record<string, unknown>;
  const validation = validationErrors(b.messages);
  if (validation.length > 0) return `invalid parameters: ${validation.map(formatValidation).join("; ")}`;
  const msg = typeof b.msg === "string" ? b.msg.trim() : "";
  const exception = typeof b.exception_msg === "string" ? b.exception_msg.trim() : "";
  if (msg && exception && !msg.includes(exception)) return `${msg} (${exception})`;
  return msg || exception || text.trim().slice(0, 500) || undefined;
}

/** The error-level messages of a model-builder answer (all messages when none is typed an error). */
export function validationErrors(messages: unknown): H2oValidationMessage[] {
  if (!Array.isArray(messages)) return [];
  const all = messages.filter((m): m is H2oValidationMessage => !!m && typeof m === "object");
  const errors = all.filter((m) => m.message_type === "ERRR" || m.message_type === "ERROR");
  return errors.length > 0 ? errors : all.filter((m) => m.message_type !== "INFO" && m.message_type !== "TRACE");
}

function formatValidation(m: H2oValidationMessage): string {
  const field = m.field_name ? `${m.field_name.replace(/^_/, "")}: ` : "";
  return `${field}${m.message ?? "invalid"}`;
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? text;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
