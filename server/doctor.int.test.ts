import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { parseTriggerContract } from "../core/index.js";
import { startSandbox, type RunningSandbox } from "../evals/sandbox/test-support.js";
import { atLeast, formatDoctorTable, runDoctor, type DoctorRow, type DoctorTargets } from "./doctor.js";

const MLFLOW_TOKEN = "mlflow-tok-5up3r-s3cret";
const ARGO_TOKEN = "argo-tok-5up3r-s3cret";
const contract = parseTriggerContract();

let sandbox: RunningSandbox | undefined;
let hanging: Server | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  await new Promise((resolve) => (hanging ? hanging.close(resolve) : resolve(undefined)));
  hanging = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "doctor-"));
  dirs.push(dir);
  return dir;
}

/** Targets with nothing configured: every system is the sandbox or an embedded default. */
function embedded(overrides: Partial<DoctorTargets> = {}): DoctorTargets {
  const home = tmp();
  return {
    home,
    databaseUrl: undefined,
    prometheusUrl: undefined,
    alertmanagerUrl: undefined,
    mlflow: undefined,
    h2oUrl: undefined,
    argocd: undefined,
    gitops: { dir: path.join(home, "gitops"), remote: undefined, branch: "main" },
    dvc: { workspace: path.join(home, "workspace"), remote: undefined },
    llm: undefined,
    langsmith: undefined,
    // The series Prometheus serves; detector drift is measured by the autopilot itself.
    metrics: [...new Set(Object.entries(contract.signals).filter(([name]) => name !== "detector_drift").flatMap(([, s]) => [s.metric, s.baselineMetric ?? s.metric]))],
    timeoutMs: 2_000,
    secrets: [MLFLOW_TOKEN, ARGO_TOKEN],
    ...overrides,
  };
}

const bySystem = (rows: DoctorRow[]) => Object.fromEntries(rows.map((r) => [r.system, r]));

describe("autopilot doctor", () => {
  it("reports the sandbox and the embedded defaults when nothing is configured", async () => {
    const rows = bySystem(await runDoctor(embedded()));
    expect(rows.database).toMatchObject({ mode: "embedded", status: "ok", version: "PGlite" });
    for (const s of ["prometheus", "mlflow", "h2o", "argocd"]) expect(rows[s]).toMatchObject({ mode: "sandbox", status: "ok" });
    expect(rows.alertmanager).toMatchObject({ mode: "off", status: "skip" });
    expect(rows.llm).toMatchObject({ mode: "embedded", target: "runbook model", status: "ok" });
    expect(rows.gitops).toMatchObject({ mode: "embedded", status: "ok" });
    expect(rows.dvc!.detail).toContain("no remote");
  });

  it("checks each real system's API: version, authentication, and the series the agents query", async () => {
    sandbox = await startSandbox("ndcg-drop", { mlflowToken: MLFLOW_TOKEN, argocdToken: ARGO_TOKEN });
    const { urls } = sandbox;
    const targets = embedded({
      databaseUrl: process.env.DATABASE_URL,
      prometheusUrl: urls.prometheus,
      mlflow: { url: urls.mlflow, token: MLFLOW_TOKEN },
      h2oUrl: urls.h2o,
      argocd: { url: urls.argocd, token: ARGO_TOKEN },
    });
    const rows = bySystem(await runDoctor(targets));
    expect(rows.prometheus).toMatchObject({ mode: "real", status: "ok", version: "3.14.0" });
    expect(rows.prometheus!.detail).toContain(`all ${targets.metrics.length} series`);
    expect(rows.mlflow).toMatchObject({ mode: "real", status: "ok", version: "2.22.0" });
    expect(rows.h2o).toMatchObject({ status: "ok", version: "3.46.0.10" });
    expect(rows.argocd).toMatchObject({ status: "ok", detail: "authenticated as autopilot" });
    if (process.env.DATABASE_URL) {
      expect(rows.database).toMatchObject({ mode: "real", status: "ok" });
      expect(atLeast(rows.database!.version, "13")).toBe(true);
      expect(rows.database!.target).not.toMatch(/@/);
    }
    // Missing series are a warning that names them.
    const missing = bySystem(await runDoctor({ ...targets, metrics: [...targets.metrics, "search:not_recorded_anywhere"] }));
    expect(missing.prometheus).toMatchObject({ status: "warn" });
    expect(missing.prometheus!.detail).toContain("no series for search:not_recorded_anywhere");
  });

  it("fails a system whose token is rejected, naming the variable and never showing a token", async () => {
    sandbox = await startSandbox("ndcg-drop", { mlflowToken: MLFLOW_TOKEN, argocdToken: ARGO_TOKEN });
    const { urls } = sandbox;
    const wrong = "wr0ng-token-value-123";
    const rows = await runDoctor(
      embedded({ mlflow: { url: urls.mlflow, token: wrong }, argocd: { url: urls.argocd, token: wrong }, secrets: [wrong, MLFLOW_TOKEN, ARGO_TOKEN] }),
    );
    const by = bySystem(rows);
    expect(by.mlflow).toMatchObject({ status: "fail", detail: "MLFLOW_TRACKING_TOKEN was rejected (HTTP 401)" });
    expect(by.argocd).toMatchObject({ status: "fail" });
    expect(by.argocd!.detail).toContain("ARGOCD_AUTH_TOKEN was not accepted");
    const noToken = bySystem(await runDoctor(embedded({ mlflow: { url: urls.mlflow, token: undefined } })));
    expect(noToken.mlflow!.detail).toContain("set MLFLOW_TRACKING_TOKEN");
    const table = formatDoctorTable(rows);
    for (const secret of [wrong, MLFLOW_TOKEN, ARGO_TOKEN]) expect(table).not.toContain(secret);
  });

  it("fails a system that is down or never answers, within the timeout", async () => {
    hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging!.listen(0, "127.0.0.1", resolve));
    const silent = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    const rows = bySystem(await runDoctor(embedded({ prometheusUrl: "http://127.0.0.1:9", h2oUrl: silent, timeoutMs: 500 })));
    expect(rows.prometheus).toMatchObject({ mode: "real", status: "fail" });
    expect(rows.prometheus!.detail).toMatch(/prometheus/i);
    expect(rows.h2o).toMatchObject({ status: "fail" });
    expect(rows.h2o!.detail).toMatch(/timed out|timeout/i);
  });

  it("reaches a GitOps remote and checks the DVC remote can be pushed to", async () => {
    const dir = tmp();
    const bare = path.join(dir, "gitops.git");
    execFileSync("git", ["init", "--quiet", "--bare", "--initial-branch=main", bare]);
    const rows = bySystem(
      await runDoctor(
        embedded({
          gitops: { dir: path.join(dir, "clone"), remote: { url: pathToFileURL(bare).href }, branch: "main" },
          dvc: { workspace: path.join(dir, "ws"), remote: "s3://bucket/dvc" },
        }),
      ),
    );
    expect(rows.gitops).toMatchObject({ mode: "real", status: "ok" });
    expect(rows.gitops!.detail).toContain("does not exist yet");
    expect(rows.gitops!.version).toMatch(/^git \d/);
    const hasDvc = (() => {
      try {
        execFileSync("dvc", ["--version"]);
        return true;
      } catch {
        return false;
      }
    })();
    expect(rows.dvc).toMatchObject({ status: hasDvc ? "ok" : "warn" });
    const gone = bySystem(await runDoctor(embedded({ gitops: { dir: path.join(dir, "c2"), remote: { url: pathToFileURL(path.join(dir, "nope.git")).href }, branch: "main" } })));
    expect(gone.gitops).toMatchObject({ status: "fail" });
  });

  it("compares versions numerically", () => {
    expect(atLeast("v2.42.0", "2.37")).toBe(true);
    expect(atLeast("2.9.1", "2.37")).toBe(false);
    expect(atLeast("3.46.0.10", "3.40")).toBe(true);
    expect(atLeast("0.25.0", "0.25")).toBe(true);
    expect(atLeast("0.24.9", "0.25")).toBe(false);
  });
});
