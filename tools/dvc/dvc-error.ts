import { AutopilotError } from "../../core/index.js";

/** A DVC workspace operation failed (bad path, missing cache object, malformed file, push). */
export class DvcError extends AutopilotError {
  override name = "DvcError";
}
