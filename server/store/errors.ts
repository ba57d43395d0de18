import { AutopilotError } from "../../core/index.js";

/**
 * The base error of the storage layer. `code` is one of: `store_config` (bad options),
 * `store_unavailable` (cannot connect or open), `store_query_failed`, `store_transaction_failed`,
 * `store_migration_failed`, `store_not_found`, `store_conflict` (a row is not in the state the
 * operation needs), `store_lease_lost`, `store_invalid_data` (a row fails its schema). Messages
 * never contain connection passwords.
 */
export class StoreError extends AutopilotError {
  override name = "StoreError";
}

/** Whether `error` is a StoreError. */
export function isStoreError(error: unknown): error is StoreError {
  return error instanceof StoreError;
}
