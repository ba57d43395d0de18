import { answer, call, deployments, detectorSeries, lastResult, step, type RunbookDecision, type SpecialistRunbook, type ToolResultView } from "./decision.js";

const BREAKDOWN_LABEL: Record<string, string> = {
  ndcg_drop: "topic",
  recall_drop: "topic",
  latency_p95: "stage",
  etl_backlog: "processor",
};

/** The metrics analyst's runbook: confirm, diagnose, compare variants, watch deploys. */
export const metricsAnalystRunbook: SpecialistRunbook = (task, results) => {
  const { signal, service } = task;
  if (!signal || !service) return answer("The alert names no known signal or service, so there is nothing I can measure.");
  if (signal === "detector_drift") return detectorDriftRunbook(task, results);
  switch (task.step) {
    case "monitor":
      return step(results, "prometheus_get_signal", () => ({ signal, service }), `Checking ${signal} of ${service}.`, (r) =>
        answer(r.status === "success" ? `Signal check: ${r.summary}` : `No data for the signal: ${r.summary}`),
      );
    case "diagnose": {
      const by = BREAKDOWN_LABEL[signal];
      if (by) {
        return step(results, "prometheus_query_breakdown", () => ({ signal, service, by }), `Breaking ${signal} down by ${by}.`, (r) =>
          withAnomalies(results, signal, service, `Diagnosis: ${r.summary}`),
        );
      }
      const metric = String((task.contract as { metric?: string } | null)?.metric ?? "");
      return step(
        results,
        "prometheus_query_range",
        () => ({ query: `${metric}{service="${service}"}`, minutes: 1440, step_seconds: 600 }),
        `Looking at the last day of ${metric}.`,
        (r) => withAnomalies(results, signal, service, `Trend of ${metric} over the last day: ${r.summary}`),
      );
    }
    case "ab_test.compare": {
      const canary = deployments(task).findLast((d) => Number(d.canary_weight) > 0);
      if (!canary) return answer("No canary deployment is recorded in this cycle, so there is no A/B test to judge.");
      return step(
        results,
        "prometheus_compare_variants",
        () => ({ signal, service, since: canary.deployed_at }),
        "Comparing champion and candidate over the A/B window.",
        (r) => answer(`A/B verdict: ${r.summary}`),
      );
    }
    case "watch": {
      const rollout = deployments(task).findLast((d) => Number(d.canary_weight) === 0);
      if (!rollout) return answer("No full rollout is recorded in this cycle, so there is nothing to watch.");
      return step(
        results,
        "prometheus_watch_signal",
        () => ({ signal, service, since: rollout.deployed_at }),
        "Watching the signal and guardrails after the rollout.",
        (r) => answer(`Post-deploy watch: ${r.summary}`),
      );
    }
    default:
      return answer(`Step ${task.step} is not a metrics-analyst step.`);
  }
};


/**
 * Scores the signal's last hours with the anomaly detector and adds what it found to the diagnosis.
 * The detector informs the diagnosis; a detector that cannot answer does not end it.
 */
function withAnomalies(results: readonly ToolResultView[], signal: string, service: string, diagnosis: string): RunbookDecision {
  const detected = lastResult(results, "prometheus_detect_anomalies");
  if (!detected) return call("prometheus_detect_anomalies", { signal, service }, "Scoring the signal's last hours with the anomaly detector.");
  const anomalies = detected.status === "success" || detected.status === "no_data" ? `Anomaly detector: ${detected.summary}` : `The anomaly detector could not score the signal: ${detected.summary}`;
  return answer(`${diagnosis} ${anomalies}`);
}

/** A detector_drift cycle: confirm the drift of the series' detector, then show what it flags now. */
const detectorDriftRunbook: SpecialistRunbook = (task, results) => {
  const series = detectorSeries(task);
  if (!series) return answer("The drift alert names no series (label series_signal), so there is no detector to check.");
  switch (task.step) {
    case "monitor":
      return step(results, "prometheus_check_detector_drift", () => series, `Checking the input drift of the ${series.series_signal} detector of ${series.service}.`, (r) =>
        answer(`Drift check: ${r.summary}`),
      );
    case "diagnose":
      return withAnomalies(results, series.series_signal, series.service, "The detector's inputs drifted.");
    default:
      return answer(`Step ${task.step} is not a metrics-analyst step of a detector cycle.`);
  }
};
