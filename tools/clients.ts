import type { PrometheusClient } from "./prometheus/client.js";
import type { MlflowClient } from "./mlflow/client.js";
import type { H2oClient } from "./h2o/client.js";
import type { ArgoCdClient } from "./argocd/client.js";
import type { AlertmanagerClient } from "./alertmanager/client.js";
import type { GrafanaClient } from "./grafana/client.js";
import type { ServedDetectors } from "./mlflow/served-detectors.js";
import type { DvcWorkspace } from "./dvc/workspace.js";
import type { GitOpsRepo } from "./gitops/repo.js";
import type { AutopilotClient } from "./autopilot/client.js";

/**
 * The clients of every system, created once by the composition root and handed to the policy
 * gate, which is the only code that passes them to a tool's run function.
 */
export interface ToolClients {
  prometheus: PrometheusClient;
  mlflow: MlflowClient;
  h2o: H2oClient;
  argocd: ArgoCdClient;
  dvc: DvcWorkspace;
  gitops: GitOpsRepo;
  /** Absent when the deployment has no Alertmanager (ALERTMANAGER_URL unset); its tools then answer an error. */
  alertmanager?: AlertmanagerClient;
  /** The anomaly detectors serving each series, following the registry's champion alias. */
  detectors: ServedDetectors;
  /** Absent when GRAFANA_URL is unset; annotations are then skipped (its tool answers an error). */
  grafana?: GrafanaClient;
  /** The autopilot's own records and cycle queue (its store); absent in a gate built without one, whose autopilot tools then answer an error. */
  autopilot?: AutopilotClient;
}
