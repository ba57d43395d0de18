import { AutopilotError } from "../../core/index.js";

/**
 * The anomaly detector was given something it cannot use: a series with a non-finite value or no
 * points (`invalid_series`), bad options (`invalid_options`), a malformed model (`invalid_model`),
 * or rows of the wrong width (`invalid_rows`). `details` names the index, value or field.
 */
export class AnomalyError extends AutopilotError {
  override name = "AnomalyError";
}
