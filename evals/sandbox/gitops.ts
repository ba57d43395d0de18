/** The Helm values of an app that decide what serves: the model version, an optional canary and the ETL processors' workers. */
export interface GitOpsValues {
  model: { name: string; version: string };
  /** `weight` is the canary's share of traffic in percent (0-100). */
  canary: { enabled: boolean; version: string | null; weight: number };
  /** Workers per ETL processor, such as `{ embed: { workers: 8 } }`; absent keeps the current workers. Checked when applied. */
  processors?: unknown;
}

/**
 * Reads an app's values at a revision of the GitOps repository (tools/gitops/repo.ts implements it;
 * tests use a map). Null means the revision has no values file for that app and environment; a
 * rejection means the revision cannot be resolved.
 */
export interface GitOpsReader {
  readValues(app: string, environment: string, revision: string): Promise<GitOpsValues | null>;
}
