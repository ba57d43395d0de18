import { AutopilotError } from "../../core/index.js";

const SCHEME = "mlflow-artifacts:";

/**
 * The path below `/api/2.0/mlflow-artifacts/artifacts/` of an artifact of a run, unencoded,
 * following `MlflowArtifactsRepository.resolve_uri` (section 3.4): the scheme (and any authority)
 * is stripped. Only `mlflow-artifacts:` URIs go through the tracking server's proxy.
 */
export function proxyArtifactPath(artifactUri: string, relPath?: string): string {
  if (!artifactUri.startsWith(SCHEME)) {
    throw new AutopilotError(
      "mlflow_artifacts_not_proxied",
      `mlflow: the run's artifact URI ${artifactUri} is not served through the tracking server (mlflow-artifacts:/...). ` +
        "Run the MLflow server with --serve-artifacts and its default artifact root (mlflow-artifacts:/), then create a new experiment; " +
        "the autopilot does not write to artifact stores directly.",
      { details: { artifact_uri: artifactUri } },
    );
  }
  const rest = artifactUri.slice(SCHEME.length).replace(/^\/\/[^/]*/, "");
  const root = rest.split("/").filter(Boolean);
  const sub = relPath === undefined || relPath === "" ? [] : checkedSegments(relPath);
  return [...root, ...sub].join("/");
}

/** The segments of a relative artifact path; refuses absolute paths, empty, `.` and `..` segments. */
export function checkedSegments(relPath: string): string[] {
  const segments = relPath.split("/");
  if (relPath.startsWith("/") || segments.some((s) => s === "" || s === "." || s === "..")) {
    throw new AutopilotError("mlflow_bad_artifact_path", `mlflow: "${relPath}" is not a safe relative artifact path`, { details: { path: relPath } });
  }
  return segments;
}
