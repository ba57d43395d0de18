import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, isAllSandbox, loadConfig } from "./config.js";

const HOME = "/tmp/autopilot-config-test";
const load = (env: Record<string, string>) => loadConfig({ AUTOPILOT_HOME: HOME, ...env });
const failure = (env: Record<string, string>): ConfigError => {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
};

describe("loadConfig", () => {
  it("falls back to the sandbox and the embedded defaults for every system left unset", () => {
    const c = load({});
    expect(isAllSandbox(c)).toBe(true);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.openai).toBeUndefined();
    expect(c.systems).toEqual({ prometheusUrl: undefined, mlflow: undefined, h2oUrl: undefined, argocd: undefined, alertmanagerUrl: undefined, grafana: undefined });
    expect(c.gitops).toEqual({ dir: path.join(HOME, "gitops"), branch: "main", remote: undefined });
    expect(c.dvcWorkspace).toBe(path.join(HOME, "workspace"));
    expect(c.dvcRemote).toBeUndefined();
  });

  it("uses each real system that is configured, the others stay the sandbox", () => {
    const c = load({ PROMETHEUS_URL: "http://prometheus:9090", ALERTMANAGER_URL: "http://alertmanager:9093", MLFLOW_TRACKING_URI: "https://mlflow.internal", MLFLOW_TRACKING_TOKEN: "mlf-token-1" });
    expect(isAllSandbox(c)).toBe(false);
    expect(c.systems).toMatchObject({ prometheusUrl: "http://prometheus:9090", alertmanagerUrl: "http://alertmanager:9093", mlflow: { url: "https://mlflow.internal", token: "mlf-token-1" }, h2oUrl: undefined, argocd: undefined });
    expect(c.secrets).toContain("mlf-token-1");
  });

  it("fails fast naming every bad variable, never echoing a secret", () => {
    const e = failure({ PROMETHEUS_URL: "not a url", PORT: "99999", ALERTMANAGER_URL: "alertmanager:9093", OPENAI_API_KEY: "sk-live-abcdef123456" });
    expect(e.message).toContain("PROMETHEUS_URL:");
    expect(e.message).toContain("PORT:");
    expect(e.message).toContain("ALERTMANAGER_URL:");
    expect(e.message).not.toContain("sk-live-abcdef123456");
    expect(failure({ ARGOCD_SERVER: "https://argocd.internal" }).message).toContain("ARGOCD_AUTH_TOKEN: required when ARGOCD_SERVER is set");
  });

  it("reads GITOPS_REPO as a local path or a remote cloned into GITOPS_CLONE_DIR, with its token a secret", () => {
    expect(load({ GITOPS_REPO: "./deploy-repo" }).gitops).toEqual({ dir: path.resolve("./deploy-repo"), branch: "main", remote: undefined });
    const remote = load({ GITOPS_REPO: "https://git.example.com/platform/gitops.git", GITOPS_TOKEN: "ghp_gitopsToken0001", GITOPS_BRANCH: "release/prod" });
    expect(remote.gitops).toEqual({
      dir: path.join(HOME, "gitops-clone"),
      branch: "release/prod",
      remote: { url: "https://git.example.com/platform/gitops.git", token: "ghp_gitopsToken0001", username: undefined },
    });
    expect(remote.secrets).toContain("ghp_gitopsToken0001");
    expect(load({ GITOPS_REPO: "git@github.com:org/gitops.git", GITOPS_CLONE_DIR: "/srv/gitops" }).gitops).toMatchObject({ dir: "/srv/gitops", remote: { url: "git@github.com:org/gitops.git" } });
    // A password inside the URL is a secret too.
    expect(load({ GITOPS_REPO: "https://bot:pw-in-url-0001@git.example.com/x.git" }).secrets).toContain("pw-in-url-0001");
    const e = failure({ GITOPS_REPO: "/srv/gitops", GITOPS_TOKEN: "ghp_unused0001" });
    expect(e.message).toContain("GITOPS_TOKEN: only used with a remote GITOPS_REPO");
    expect(e.message).not.toContain("ghp_unused0001");
    expect(failure({ GITOPS_BRANCH: "main; rm -rf /" }).message).toContain("GITOPS_BRANCH:");
  });

  it("points the shell commands at the local server unless AUTOPILOT_URL says otherwise; the token is a secret", () => {
    expect(load({}).client).toEqual({ url: "http://127.0.0.1:8080", token: undefined });
    expect(load({ HOST: "0.0.0.0", PORT: "9090" }).client.url).toBe("http://127.0.0.1:9090");
    const remote = load({ AUTOPILOT_URL: "https://autopilot.example.com/", AUTOPILOT_TOKEN: "ap_secret_token_1" });
    expect(remote.client).toEqual({ url: "https://autopilot.example.com", token: "ap_secret_token_1" });
    expect(remote.secrets).toContain("ap_secret_token_1");
  });

  it("lets MCP requests in from the loopback names on PORT by default, or from the listed hosts and origins", () => {
    expect(load({ PORT: "9000" }).http.mcp).toEqual({
      allowedHosts: ["localhost", "127.0.0.1", "[::1]"],
      allowedOrigins: ["http://localhost:9000", "https://localhost:9000", "http://127.0.0.1:9000", "https://127.0.0.1:9000", "http://[::1]:9000", "https://[::1]:9000"],
    });
    expect(load({ HOST: "autopilot.internal" }).http.mcp.allowedHosts).toEqual(["localhost", "127.0.0.1", "[::1]", "autopilot.internal"]);
    expect(load({ HOST: "0.0.0.0", MCP_ALLOWED_HOSTS: "Autopilot.Example.com, autopilot.example.com:443", MCP_ALLOWED_ORIGINS: "https://console.example.com" }).http.mcp).toEqual({
      allowedHosts: ["autopilot.example.com", "autopilot.example.com:443"],
      allowedOrigins: ["https://console.example.com"],
    });
  });

  it("takes the DVC workspace and remote", () => {
    const c = load({ DVC_WORKSPACE: "/data/ws", DVC_REMOTE: "s3://ml-datasets/dvc" });
    expect(c.dvcWorkspace).toBe("/data/ws");
    expect(c.dvcRemote).toBe("s3://ml-datasets/dvc");
  });

  it("reads the anomaly monitor's interval, window, series and Grafana dashboards", () => {
    expect(load({}).anomalyMonitor).toEqual({ intervalMs: 60_000, windowMinutes: 360, series: undefined, dashboards: {} });
    const c = load({
      ANOMALY_MONITOR_INTERVAL_SECONDS: "0",
      ANOMALY_WINDOW_MINUTES: "720",
      ANOMALY_SERIES: "search:ndcg_drop, search:latency_p95",
      ANOMALY_GRAFANA_DASHBOARDS: "search=search-overview, search:latency_p95=search-latency/4",
    });
    expect(c.anomalyMonitor).toEqual({
      intervalMs: 0,
      windowMinutes: 720,
      series: [
        { service: "search", signal: "ndcg_drop" },
        { service: "search", signal: "latency_p95" },
      ],
      dashboards: { search: { uid: "search-overview" }, "search:latency_p95": { uid: "search-latency", panelId: 4 } },
    });
  });

  it("names each anomaly monitor entry it cannot read", () => {
    const e = failure({ ANOMALY_SERIES: "search:ndcg_drop,search:throughput,ndcg_drop,search:detector_drift", ANOMALY_GRAFANA_DASHBOARDS: "search=has space,etl:nope=x/1" });
    expect(e.message).toContain('ANOMALY_SERIES: "search:throughput" is not <service>:<signal>');
    expect(e.message).toContain('ANOMALY_SERIES: "ndcg_drop" is not <service>:<signal>');
    // Drift is the autopilot's own signal, not a series in Prometheus.
    expect(e.message).toContain('ANOMALY_SERIES: "search:detector_drift" is not <service>:<signal>');
    expect(e.message).toContain('ANOMALY_GRAFANA_DASHBOARDS: "search=has space" is not <service>=<uid>');
    expect(e.message).toContain('ANOMALY_GRAFANA_DASHBOARDS: "etl:nope" is not <service>:<signal>');
    expect(failure({ ANOMALY_WINDOW_MINUTES: "20000" }).message).toContain("ANOMALY_WINDOW_MINUTES:");
    expect(failure({ ANOMALY_MONITOR_INTERVAL_SECONDS: "-1" }).message).toContain("ANOMALY_MONITOR_INTERVAL_SECONDS:");
    expect(failure({ ANOMALY_SERIES: " , " }).message).toContain("ANOMALY_SERIES: names no series");
  });
});
