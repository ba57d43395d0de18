import { afterAll, describe, expect, it } from "vitest";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createAuditRepo, createCyclesRepo, migrate, openDatabase } from "./store/index.js";

const BIN = path.resolve(import.meta.dirname, "..", "bin", "autopilot.js");
const run = promisify(execFile);
const homes: string[] = [];
const home = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "autopilot-cli-"));
  homes.push(dir);
  return dir;
};
afterAll(() => homes.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs the CLI like a user would, with a clean environment (no DATABASE_URL, no LLM). */
async function cli(args: string[], env: Record<string, string> = {}) {
  const clean = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", AUTOPILOT_HOME: home(), ...env };
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: clean, timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("npx autopilot demo", () => {
  it("runs the bad-deploy scenario to a rollback: a line per step, the report last, exit 0", async () => {
    const r = await cli(["demo", "--scenario", "bad-deploy"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^demo: scenario bad-deploy \(production\)/);
    const steps = lines.filter((l) => /^\[\d\d:\d\d:\d\d\] si_/.test(l));
    expect(steps.length).toBeGreaterThan(20);
    expect(steps.some((l) => /devops\s+argocd_rollback_application\s+allow\s+success/.test(l))).toBe(true);
    const report = JSON.parse(lines.at(-1)!) as { outcome: string; cycle_id: string; actions: unknown[] };
    expect(report.outcome).toBe("rolled_back");
    expect(report.cycle_id).toMatch(/^si_\d{4}_\d\d_\d\d_\d{3}$/);
  });

  it("names an unknown scenario and exits non-zero", async () => {
    const r = await cli(["demo", "--scenario", "no-such-world"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no-such-world/);
  });

  it("refuses a bad configuration, naming the variable and never echoing a secret", async () => {
    const r = await cli(["serve"], { PORT: "eighty", OPENAI_BASE_URL: "not a url", OPENAI_API_KEY: "sk-should-not-appear" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("PORT:");
    expect(r.stderr).toContain("OPENAI_BASE_URL:");
    expect(r.stderr).not.toContain("sk-should-not-appear");
  });
});

describe("npx autopilot audit verify", () => {
  it("passes an intact trail and names the first broken link of a tampered one", async () => {
    const dir = home();
    const db = await openDatabase({ dataDir: path.join(dir, "pgdata") });
    await migrate(db);
    const audit = createAuditRepo(db);
    for (let i = 0; i < 5; i++) await audit.append({ at: new Date(Date.UTC(2026, 10, 20, 8, i)), cycleId: "si_2026_11_20_001", kind: "tool_result", actor: { type: "Agent", id: "devops" }, data: { i } });
    await db.close();
    const intact = await cli(["audit", "verify"], { AUTOPILOT_HOME: dir });
    expect(intact.code, intact.stderr).toBe(0);
    expect(intact.stdout).toMatch(/audit chain intact: 5 rows/);

    const again = await openDatabase({ dataDir: path.join(dir, "pgdata") });
    await again.withTransaction(async (c) => {
      await c.query("SELECT set_config('autopilot.audit_maintenance', 'on', true)");
      await c.query(`UPDATE audit_log SET data = '{"i": 99}' WHERE seq = 3`);
    });
    await again.close();
    const broken = await cli(["audit", "verify"], { AUTOPILOT_HOME: dir });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/audit chain broken at seq 3/);
  });
});

describe("npx autopilot detector train", () => {
  it("queues a detector_drift cycle for the series a running server will claim, and refuses a series that is not one", async () => {
    const dir = home();
    const queued = await cli(["detector", "train", "search:ndcg_drop"], { AUTOPILOT_HOME: dir });
    expect(queued.code, queued.stderr).toBe(0);
    const id = /queued (si_\d{4}_\d\d_\d\d_\d{3})/.exec(queued.stdout)?.[1];
    expect(id, queued.stdout).toMatch(/^si_/);
    const db = await openDatabase({ dataDir: path.join(dir, "pgdata") });
    const row = await createCyclesRepo(db).get(id!);
    await db.close();
    expect(row).toMatchObject({ status: "queued", trigger: { signal: "detector_drift", service: "search", labels: { series_signal: "ndcg_drop", alertname: "AnomalyDetectorDrift" } } });

    for (const bad of ["search:detector_drift", "search:nonsense", "nowhere:ndcg_drop", "ndcg_drop"]) {
      const refused = await cli(["detector", "train", bad], { AUTOPILOT_HOME: dir });
      expect(refused.code, bad).toBe(2);
      expect(refused.stdout, bad).toMatch(/not <service>:<signal>|not in the service catalog/);
    }
  });
});

describe("npx autopilot doctor", () => {
  it("prints a table of every system, and exits 1 naming a configured system that is down", async () => {
    const ok = await cli(["doctor"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^SYSTEM\s+MODE\s+STATUS\s+VERSION\s+TARGET\s+DETAIL/);
    for (const system of ["database", "prometheus", "alertmanager", "mlflow", "h2o", "argocd", "gitops", "dvc", "llm", "langsmith"]) {
      expect(ok.stdout).toMatch(new RegExp(`^${system}\\s`, "m"));
    }
    expect(ok.stdout).toContain("All checks passed.");

    const down = await cli(["doctor", "--json"], { MLFLOW_TRACKING_URI: "http://127.0.0.1:9", MLFLOW_TRACKING_TOKEN: "doctor-secret-token-1", HTTP_TIMEOUT_MS: "1000" });
    expect(down.code).toBe(1);
    const { rows } = JSON.parse(down.stdout) as { rows: Array<{ system: string; status: string; mode: string }> };
    expect(rows.find((r) => r.system === "mlflow")).toMatchObject({ mode: "real", status: "fail" });
    expect(down.stdout + down.stderr).not.toContain("doctor-secret-token-1");
  });
});

describe("autopilot serve with the operator's policies", () => {
  it("refuses to start on an invalid policy file, naming the file, the line and the reason", async () => {
    const dir = home();
    writeFileSync(
      path.join(dir, "team.cedar"),
      '@id("ok")\n@reason("agents read")\npermit (principal is Autopilot::Agent, action in Autopilot::Action::"readonly", resource);\n\n@id("typo")\n@reason("stop")\nforbid (principal, action, resource)\nwhen { context.kill_swich };\n',
    );
    const r = await cli(["serve"], { PORT: "0", AUTOPILOT_POLICY_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/team\.cedar:[4-8]: /);
    expect(r.stderr).toContain("kill_swich");
  });
});

describe("npm start (autopilot serve) on embedded defaults", () => {
  let server: ChildProcess | undefined;
  afterAll(() => server?.kill("SIGKILL"));

  it("serves health, lets a CLI create a token beside it, runs the sandbox's cycle, and stops cleanly", async () => {
    const dir = home();
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", AUTOPILOT_HOME: dir, PORT: "0", SANDBOX_SPEED: "1200", LOG_LEVEL: "warn" };
    server = spawn(process.execPath, [BIN, "serve"], { env });
    let out = "";
    server.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 60_000);
      server!.stdout!.on("data", () => {
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: "ok" });
    // The banner says where each door is.
    await new Promise((r) => setTimeout(r, 200));
    expect(out).toContain(`console:  ${url}/`);
    expect(out).toContain(`MCP:      ${url}/mcp`);
    expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({ status: "ready", database: "pglite", sandbox: true, model: "runbook" });

    // A second process uses the same embedded database while the server runs.
    const created = await run(process.execPath, [BIN, "token", "create", "--role", "viewer", "--name", "tester"], { env, timeout: 60_000 });
    const token = created.stdout.trim().split("\n").at(-1)!;
    expect(token).toMatch(/^apt_/);
    expect((await fetch(`${url}/api/v1/cycles`)).status).toBe(401);

    // The sandbox raises its scenario's alert by itself (20 simulated minutes pass in a second).
    let cycle: { id: string; status: string; outcome: string | null } | undefined;
    for (let i = 0; i < 120 && cycle?.status !== "completed"; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const list = (await (await fetch(`${url}/api/v1/cycles`, { headers: { authorization: `Bearer ${token}` } })).json()) as { cycles: Array<{ id: string; status: string; outcome: string | null }> };
      cycle = list.cycles[0];
    }
    const detail = (await (await fetch(`${url}/api/v1/cycles/${cycle?.id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      report?: { outcome_reason: string; actions: Array<{ tool: string; summary: string }> };
    };
    const why = `${detail.report?.outcome_reason}\n${detail.report?.actions.filter((a) => a.tool.startsWith("prometheus_")).map((a) => a.summary).join("\n")}`;
    expect(cycle, why).toMatchObject({ status: "completed", outcome: "promoted" });

    server.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => server!.once("exit", resolve));
    expect(code).toBe(0);
    expect(existsSync(path.join(dir, "pgdata", "autopilot-pglite.lock"))).toBe(false);
    server = undefined;
  });
});
