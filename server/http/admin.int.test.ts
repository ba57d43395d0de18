import { afterEach, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadScenario } from "../../evals/sandbox/index.js";
import { CycleReportSchema } from "../../graphs/index.js";
import { DEFAULT_POLICY_DIR } from "../../policies/index.js";
import { startHarness, type Harness } from "../testing/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
const json = async <T>(res: Response) => (await res.json()) as T;

describe("admin routes", () => {
  it("need an admin token, a reason, and known targets", async () => {
    h = await startHarness({ scenario: "ndcg-drop" });
    const stop = { reason: "investigating an incident" };
    expect((await h.api("POST", "/api/v1/optimizer/stop", undefined, stop)).status).toBe(401);
    expect((await h.api("POST", "/api/v1/optimizer/stop", h.tokens.operator, stop)).status).toBe(403);
    const noReason = await h.api("POST", "/api/v1/optimizer/stop", h.tokens.admin, {});
    expect(noReason.status).toBe(400);
    expect((await json<{ error: { message: string } }>(noReason)).error.message).toMatch(/^reason:/);
    expect((await h.api("PUT", "/api/v1/flags/production/warp_drive", h.tokens.admin, { enabled: true, reason: "why not" })).status).toBe(404);
    expect((await h.api("PUT", "/api/v1/flags/prod/ab_testing", h.tokens.admin, { enabled: true, reason: "typo" })).status).toBe(400);
    const badRule = await h.api("PUT", "/api/v1/gates/production/ndcg_drop", h.tokens.admin, { rules: [{ kind: "relative_gain", metric: "ndcg_at_10" }], reason: "stricter" });
    expect(badRule.status).toBe(400);
    expect((await json<{ error: { message: string } }>(badRule)).error.message).toContain("rules.0");
    expect(await json(await h.api("GET", "/api/v1/audit/verify", h.tokens.admin))).toMatchObject({ ok: true });
  });

  it("stop makes a running cycle stop at its next tool call; resume lets cycles run again", async () => {
    const staging = { ...loadScenario("ndcg-drop"), environment: "staging" as const };
    h = await startHarness({ scenario: staging });
    const sandbox = h.ap.platform.sandbox!;
    sandbox.advanceToAlert(0);
    const id = (await json<{ cycles_started: string[] }>(await h.webhook(sandbox.alertPayload(0)))).cycles_started[0]!;
    const paused = await h.settle(id);
    expect(paused.status).toBe("awaiting_approval");
    const stopped = await h.api("POST", "/api/v1/optimizer/stop", h.tokens.admin, { environment: "staging", reason: "bad data import upstream" });
    expect(await json(stopped)).toEqual({ environment: "staging", kill_switch: true });
    const head = await h.ap.platform.clients.gitops.head();
    await h.api("POST", `/api/v1/approvals/${paused.pendingApprovalId}/approve`, h.tokens.operator, { reason: "go" });
    const done = await h.settle(id);
    const report = CycleReportSchema.parse(done.report);
    expect(report.outcome).toBe("escalated");
    expect(report.outcome_reason).toContain("kill switch");
    // The approved call met the kill switch and did not run.
    expect(await h.ap.platform.clients.gitops.head()).toBe(head);
    const audit = await h.ap.store.audit.list({ limit: 5000 });
    expect(audit.find((r) => r.kind === "admin_action" && r.decision === "kill_switch_on")).toMatchObject({ actor: { type: "Operator", id: "ada" } });
    expect(await json(await h.api("POST", "/api/v1/optimizer/resume", h.tokens.admin, { environment: "staging", reason: "upstream fixed" }))).toEqual({ environment: "staging", kill_switch: false });
    expect((await h.ap.store.flags.forEnvironment("staging")).killSwitch).toBe(false);
  });

  it("rolls back by hand to a version that served before, through the gate; not under the kill switch", async () => {
    h = await startHarness({ scenario: "ndcg-drop" });
    expect((await h.runScenario()).outcome).toBe("promoted");
    expect(h.ap.platform.sandbox!.state().serving.champion.version).toBe("2");
    expect((await h.api("POST", "/api/v1/optimizer/rollback", h.tokens.admin, { target_version: "9", reason: "try" })).status).toBe(404);
    await h.api("POST", "/api/v1/optimizer/stop", h.tokens.admin, { reason: "freeze everything" });
    const refused = await h.api("POST", "/api/v1/optimizer/rollback", h.tokens.admin, { target_version: "1", reason: "customer complaints" });
    expect(refused.status).toBe(403);
    expect((await json<{ error: { message: string } }>(refused)).error.message).toContain("kill switch");
    expect(h.ap.platform.sandbox!.state().serving.champion.version).toBe("2");
    await h.api("POST", "/api/v1/optimizer/resume", h.tokens.admin, { reason: "ready to roll back" });
    const res = await h.api("POST", "/api/v1/optimizer/rollback", h.tokens.admin, { target_version: "1", reason: "customer complaints" });
    expect(res.status).toBe(200);
    const { rollback } = await json<{ rollback: { model_version: string; history_id: number; steps: Array<{ tool: string }> } }>(res);
    expect(rollback).toMatchObject({ model_version: "1", history_id: 1 });
    expect(h.ap.platform.sandbox!.state().serving.champion.version).toBe("1");
    expect((await h.ap.platform.clients.mlflow.getModelVersionByAlias("search-reranker", "champion"))?.version).toBe("1");
    expect(await h.ap.platform.clients.gitops.readValues("search", "production")).toMatchObject({ model: { version: "1" }, canary: { enabled: false } });
    const decisions = (await h.ap.store.audit.list({ limit: 5000 })).filter((r) => r.kind === "policy_decision" && r.tool === "argocd_rollback_application");
    expect(decisions.map((d) => [d.actor.id, d.decision])).toEqual([
      ["ada", "deny"],
      ["ada", "allow"],
    ]);
  });

  it("rolls back to the newest stable version or to gold, and redeploys a stable version older than the Argo CD history", async () => {
    h = await startHarness({ scenario: "ndcg-drop" });
    const rollback = (target_version: string) => h!.api("POST", "/api/v1/optimizer/rollback", h!.tokens.admin, { target_version, reason: "quality complaints" });
    const mlflow = h.ap.platform.clients.mlflow;
    const model = "search-reranker";
    expect((await rollback("gold")).status).toBe(404);
    const bad = await rollback("latest");
    expect(bad.status).toBe(400);
    expect((await json<{ error: { message: string } }>(bad)).error.message).toContain('"stable" or "gold"');

    // The cycle promoted v2 and, once it held, marked it stable and gold.
    expect((await h.runScenario()).outcome).toBe("promoted");
    expect((await mlflow.getModelVersionByAlias(model, "gold"))?.version).toBe("2");
    expect((await mlflow.getModelVersion(model, "2"))?.tags["autopilot.stable"]).toBe("true");
    expect(await json(await rollback("gold"))).toMatchObject({ error: { code: "already_serving" } });
    expect(await json(await rollback("stable"))).toMatchObject({ error: { code: "no_stable_version" } });

    // v1 served before this cycle; marked stable by hand, "stable" now names it and Argo CD history restores it.
    await mlflow.setModelVersionTag(model, "1", "autopilot.stable", "true");
    const toV1 = await json<{ rollback: Record<string, unknown> }>(await rollback("stable"));
    expect(toV1.rollback).toMatchObject({ method: "history", model_version: "1", target: { requested: "stable", model_version: "1", stable: true, gold: false } });
    expect(h.ap.platform.sandbox!.state().serving.champion.version).toBe("1");

    // Back to gold (v2) through history too.
    expect((await json<{ rollback: Record<string, unknown> }>(await rollback("gold"))).rollback).toMatchObject({ method: "history", model_version: "2", target: { gold: true } });

    // A stable version no deployment in the history served: written to Git and synced.
    const v1 = (await mlflow.getModelVersion(model, "1"))!;
    const v3 = await mlflow.createModelVersion({ name: model, source: v1.source, runId: v1.run_id!, tags: { h2o_model_id: v1.tags.h2o_model_id! } });
    expect((await json<{ error: { code: string } }>(await rollback(v3.version))).error.code).toBe("version_not_deployed");
    await mlflow.setModelVersionTag(model, v3.version, "autopilot.stable", "true");
    const redeploy = await json<{ rollback: { method: string; revision: string; steps: Array<{ tool: string }> } }>(await rollback("stable"));
    expect(redeploy.rollback).toMatchObject({ method: "redeploy", model_version: v3.version });
    expect(redeploy.rollback.steps.map((x) => x.tool).slice(-3)).toEqual(["gitops_write_values", "argocd_sync_application", "mlflow_set_model_alias"]);
    expect(h.ap.platform.sandbox!.state().serving.champion.version).toBe(v3.version);
    expect(await h.ap.platform.clients.gitops.head()).toBe(redeploy.rollback.revision);
    expect((await mlflow.getModelVersionByAlias(model, "champion"))?.version).toBe(v3.version);
  });

  it("turns the A/B test off with a flag, and holds a candidate to an admin's stricter gate", async () => {
    h = await startHarness({ scenario: "ndcg-drop" });
    expect((await h.api("PUT", "/api/v1/flags/production/ab_testing", h.tokens.operator, { enabled: false, reason: "traffic too low" })).status).toBe(403);
    await h.api("PUT", "/api/v1/flags/production/ab_testing", h.tokens.admin, { enabled: false, reason: "traffic too low for a fair split" });
    const strict = [{ kind: "relative_gain", metric: "ndcg_at_10", fraction: 0.5 }];
    expect((await h.api("PUT", "/api/v1/gates/production/ndcg_drop", h.tokens.admin, { rules: strict, reason: "demand a big win" })).status).toBe(200);
    const gates = await json<{ gates: Record<string, unknown>; overrides: Array<{ signal: string; updatedBy: string }> }>(await h.api("GET", "/api/v1/gates/production", h.tokens.viewer));
    expect(gates.gates.ndcg_drop).toEqual(strict);
    expect(gates.overrides).toMatchObject([{ signal: "ndcg_drop", updatedBy: "ada" }]);
    const report = CycleReportSchema.parse((await h.runScenario()).report);
    expect(report.outcome).toBe("escalated");
    expect(report.outcome_reason).toMatch(/failed its quality gate/);
    expect(report.actions.map((a) => a.tool)).not.toContain("prometheus_compare_variants");
    expect((await h.api("DELETE", "/api/v1/gates/production/ndcg_drop", h.tokens.admin)).status).toBe(200);
    expect((await json<{ gates: Record<string, unknown> }>(await h.api("GET", "/api/v1/gates/production", h.tokens.viewer))).gates.ndcg_drop).not.toEqual(strict);
  });
});

describe("policy reload", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("swaps in valid policies, and keeps the active set when a file is invalid, naming the file and line", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "policies-"));
    for (const f of readdirSync(DEFAULT_POLICY_DIR).filter((n) => n.endsWith(".cedar"))) cpSync(path.join(DEFAULT_POLICY_DIR, f), path.join(dir, f));
    h = await startHarness({ scenario: "ndcg-drop", env: { AUTOPILOT_POLICY_DIR: dir } });
    const listed = await json<{ files: Array<{ path: string }> }>(await h.api("GET", "/api/v1/policies", h.tokens.viewer));
    expect(listed.files.map((f) => path.basename(f.path))).toContain("hard-stops.cedar");
    const probe = () => h!.ap.gate.check({ principal: { type: "Agent", id: "metrics-analyst" }, tool: "prometheus_query_range", input: { query: "up" }, scope: { cycleId: null, environment: "production", phase: "diagnose", gatePassed: false, gateNeedsApproval: false, spentUsd: 0 } });
    expect((await probe()).decision?.outcome).toBe("allow");

    writeFileSync(path.join(dir, "zz-local.cedar"), '@id("broken")\n@reason("local rule")\npermit (principal, action, resource)\nwhen { context.no_such_field };\n');
    const bad = await h.api("POST", "/api/v1/policies/reload", h.tokens.admin);
    expect(bad.status).toBe(400);
    const error = await json<{ error: { message: string; details: { problems: Array<{ file: string; line: number }> } } }>(bad);
    expect(error.error.message).toContain("the active policies are unchanged");
    expect(error.error.details.problems[0]).toMatchObject({ file: expect.stringMatching(/zz-local\.cedar$/), line: 4 });
    expect((await probe()).decision?.outcome).toBe("allow");

    writeFileSync(path.join(dir, "zz-local.cedar"), '@id("no-range-queries")\n@reason("range queries are off while the TSDB is compacting")\nforbid (principal, action == Autopilot::Action::"prometheus_query_range", resource);\n');
    expect((await h.api("POST", "/api/v1/policies/reload", h.tokens.admin)).status).toBe(200);
    const after = await probe();
    expect(after.decision).toMatchObject({ outcome: "deny", reasons: ["range queries are off while the TSDB is compacting"] });
    const audit = await h.ap.store.audit.list({ limit: 5000 });
    expect(audit.filter((r) => r.kind === "admin_action").map((r) => r.decision)).toEqual(["policies_reload_failed", "policies_reloaded"]);
  });
});
