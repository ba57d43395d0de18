import { z } from "zod";

/** What the autopilot manages for one service: its Argo CD app, registered model and dataset. */
export const ServiceSchema = z.object({
  /** Argo CD application name. */
  app: z.string().min(1),
  /** Registered model name in MLflow. */
  model: z.string().min(1),
  /** DVC dataset (directory under `datasets/` in the DVC workspace) the model trains on. */
  dataset: z.string().min(1),
});
/** One managed service. */
export type Service = z.infer<typeof ServiceSchema>;

/** Managed services by the `service` label their alerts carry. */
export const ServiceCatalogSchema = z.record(z.string(), ServiceSchema);
/** Managed services by name. */
export type ServiceCatalog = z.infer<typeof ServiceCatalogSchema>;

/** The catalog of the built-in sandbox platform. */
export const DEFAULT_SERVICE_CATALOG: ServiceCatalog = {
  search: { app: "search", model: "search-reranker", dataset: "search-relevance" },
};

/**
 * The name of a metric broken down by a segment label, following Prometheus' `level:metric:ops`
 * convention: `search:ndcg_at_10` by `topic` is `search_topic:ndcg_at_10`.
 */
export function segmentMetric(metric: string, by: string): string {
  const colon = metric.indexOf(":");
  if (colon < 0) return `${metric}_by_${by}`;
  return `${metric.slice(0, colon)}_${by}${metric.slice(colon)}`;
}
