import { afterEach, describe, expect, it } from "vitest";
import { DeploymentFinding, RollbackFinding, SimulatedClock } from "../../core/index.js";
import type { ToolClients } from "../clients.js";
import { renderToolOutcome, type ToolOutcome } from "../tool.js";
import { testToolContext } from "../prometheus/testing/tool-context.js";
import { ArgoCdClient } from "./client.js";
import { getApplicationTool } from "./get-application.js";
import { rollbackApplicationTool } from "./rollback-application.js";
import { syncApplicationTool } from "./sync-application.js";
import { argocdTools } from "./toolset.js";
import { startFakeArgoCd, type FakeApp, type FakeArgoCd } from "./testing/fake-argocd.js";
import type { DeployedValues } from "./tool-support.js";

const START = new Date("2026-08-01T12:00:00Z");
const TOKEN = "argocd-project-token-s3cr3t";
const R = {
  r1: "53f886dff7f369e5f72e1988a46f7dfbd1def03e",
  r2: "328c417c2d2b6b98df8e48ceb00daac6756b8031",
  r3: "3ac7a5b374cdaef51f9f8f199fdd1012b0097d57",
  canary: "8afbb1d13ee46f8d31438012551e1a919db506c3",
};
const values = (version: string, canary?: { version: string; weight: number }): DeployedValues => ({
  model: { name: "search-reranker", version },
  canary: canary ? { enabled: true, ...canary } : { enabled: false, version: null, weight: 0 },
});
const VALUES: Record<string, DeployedValues> = {
  [R.r1]: values("4"),
  [R.r2]: values("5"),
  [R.r3]: values("6"),
  [R.canary]: values("6", { version: "7", weight: 20 }),
};

function searchApp(extra: Partial<FakeApp> = {}): FakeApp {
  return {
    name: "search",
    history: [
      { id: 1, revision: R.r1, deployedAt: "2026-07-20T10:02:11Z" },
      { id: 2, revision: R.r2, deployedAt: "2026-07-27T14:30:40Z" },
      { id: 3, revision: R.r3, deployedAt: "2026-07-31T08:15:05Z" },
    ],
    health: { status: "Healthy" },
    reconciledAt: "2026-08-01T11:58:30Z",
    ...extra,
  };
}

let fake: FakeArgoCd | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(app: FakeApp = searchApp()) {
  const clock = new SimulatedClock({ start: START });
  fake = await startFakeArgoCd({ token: TOKEN, clock, apps: [app] });
  const argocd = new ArgoCdClient({ baseUrl: fake.url, token: TOKEN, clock, pollIntervalMs: 2000 });
  const reads: { app: string; environment: string; revision?: string }[] = [];
  const gitops = {
    readValues: async (app: string, environment: string, revision?: string) => {
      reads.push({ app, environment, revision });
      return (revision && VALUES[revision]) || null;
    },
  };
  const ctx = testToolContext({ clock, clients: { argocd, gitops: gitops as unknown as ToolClients["gitops"] } });
  return { ctx, clock, fake, reads, argocd };
}

function expectNoToken(outcome: ToolOutcome): void {
  expect(renderToolOutcome(outcome, 100_000)).not.toContain(TOKEN);
  expect(JSON.stringify(outcome)).not.toContain(TOKEN);
}

describe("argocd_get_application", () => {
  it("reports status, revision, operation and the last 10 history entries", async () => {
    const history = Array.from({ length: 12 }, (_, i) => ({ id: i + 1, revision: i === 11 ? R.r3 : R.r1, deployedAt: `2026-07-${10 + i}T00:00:00Z` }));
    const { ctx } = await setup(searchApp({ history }));
    const outcome = await getApplicationTool.run({ app: "search" }, ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    expect(outcome.data).toMatchObject({ app: "search", sync: "Synced", health: "Healthy", revision: R.r3, operation_requested: false, operation: null, history_total: 12 });
    expect(outcome.data.history.map((h) => h.id)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(outcome.data.history.at(-1)).toEqual({ id: 12, revision: R.r3, deployedAt: "2026-07-21T00:00:00Z" });
    expect(outcome.summary).toBe("search is Synced and Healthy at 3ac7a5b; no operation yet; 12 history entries (newest id 12)");
  });

  it("says an unknown app is not found or not permitted", async () => {
    const { ctx } = await setup();
    const outcome = await getApplicationTool.run({ app: "checkout" }, ctx);
    if (outcome.status !== "error") throw new Error("expected an error");
    expect(outcome.error).toMatchObject({ code: "not_found_or_denied", system: "argocd", upstream_status: 403 });
    expect(outcome.summary).toContain("application not found or permission denied");
    expectNoToken(outcome);
  });
});

describe("argocd_sync_application", () => {
  it("waits through Running and a Succeeded state with reconciledAt lagging until Healthy, then reports the deployment", async () => {
    const { ctx, clock, fake, reads } = await setup();
    const requested = clock.now().toISOString();
    const outcome = await syncApplicationTool.run(syncApplicationTool.input.parse({ app: "search", revision: R.canary }), ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    const data = DeploymentFinding.parse(outcome.data);
    // The deploy is dated when it was requested, before the waiting for health.
    expect(clock.now().toISOString() > requested).toBe(true);
    expect(data).toEqual({
      app: "search",
      revision: R.canary,
      history_id: 4,
      previous_history_id: 3,
      model_version: "7",
      previous_model_version: "6",
      canary_weight: 20,
      health: "Healthy",
      sync: "Synced",
      deployed_at: requested,
    });
    // One read before the sync, then polls: Running, Succeeded (not yet reconciled, old health), Progressing, Healthy.
    const calls = fake.requests.map((r) => `${r.method} ${r.path}`);
    expect(calls).toEqual([
      "GET /api/v1/applications/search",
      "POST /api/v1/applications/search/sync",
      ...Array<string>(4).fill("GET /api/v1/applications/search"),
    ]);
    expect(fake.requests[1]?.body).toEqual({ revision: R.canary, prune: false, dryRun: false });
    expect(clock.now().getTime() - START.getTime()).toBe(3 * 2000);
    expect(reads).toEqual([
      { app: "search", environment: "staging", revision: R.canary },
      { app: "search", environment: "staging", revision: R.r3 },
    ]);
    expect(outcome.summary).toBe("search synced to 8afbb1d (history 4): model 7 on a 20% canary, Synced and Healthy; before: model 6 (history 3)");
  });

  it("returns the operation's message and the failed resources' messages as an error", async () => {
    const { ctx } = await setup(
      searchApp({
        next: {
          phase: "Failed",
          message: "one or more objects failed to apply, reason: Deployment.apps \"search-reranker\" is invalid",
          resources: [{ kind: "Deployment", name: "search-reranker", message: "spec.template.spec.containers[0].image: Required value" }],
        },
      }),
    );
    const outcome = await syncApplicationTool.run(syncApplicationTool.input.parse({ app: "search", revision: R.canary }), ctx);
    if (outcome.status !== "error") throw new Error(`expected an error, got ${outcome.summary}`);
    expect(outcome.error.code).toBe("operation_failed");
    expect(outcome.error.message).toContain('one or more objects failed to apply, reason: Deployment.apps "search-reranker" is invalid');
    expect(outcome.error.message).toContain("Deployment/search-reranker: spec.template.spec.containers[0].image: Required value");
    expect(outcome.summary).toMatch(/^sync of search to 8afbb1d failed: /);
    expectNoToken(outcome);
  });

  it("fails when the app ends Degraded", async () => {
    const { ctx, fake } = await setup(searchApp({ next: { phase: "Succeeded", health: "Degraded", healthMessage: 'Deployment "search-reranker" exceeded its progress deadline' } }));
    const outcome = await syncApplicationTool.run(syncApplicationTool.input.parse({ app: "search", revision: R.canary }), ctx);
    if (outcome.status !== "error") throw new Error(`expected an error, got ${outcome.summary}`);
    expect(outcome.error.code).toBe("app_degraded");
    expect(outcome.summary).toContain("exceeded its progress deadline");
    expect(fake.apps.get("search")?.history.at(-1)?.id).toBe(4);
  });

  it("reports 'another operation is already in progress' as its own error", async () => {
    const { ctx, argocd } = await setup();
    await argocd.sync("search", { revision: R.r2 });
    const outcome = await syncApplicationTool.run(syncApplicationTool.input.parse({ app: "search", revision: R.canary }), ctx);
    if (outcome.status !== "error") throw new Error(`expected an error, got ${outcome.summary}`);
    expect(outcome.error).toMatchObject({ code: "operation_in_progress", upstream_status: 400, system: "argocd" });
  });

  it("records no deployment for a dry run", async () => {
    const { ctx, fake } = await setup();
    const outcome = await syncApplicationTool.run(syncApplicationTool.input.parse({ app: "search", revision: R.canary, dry_run: true }), ctx);
    expect(outcome.status).toBe("no_data");
    expect(outcome.summary).toBe("dry run: syncing search to 8afbb1d would serve model 7 on a 20% canary; nothing was deployed");
    expect(fake.requests[1]?.body).toEqual({ revision: R.canary, prune: false, dryRun: true });
    expect(fake.apps.get("search")?.history).toHaveLength(3);
  });

  it("says the deploy happened when only reading the Helm values fails afterwards", async () => {
    const { ctx } = await setup();
    const gitops = { readValues: async () => Promise.reject(new Error("gitops: cannot read apps/search/values-staging.yaml")) };
    const outcome = await syncApplicationTool.run(syncApplicationTool.input.parse({ app: "search", revision: R.canary }), {
      ...ctx,
      clients: { ...ctx.clients, gitops: gitops as unknown as ToolClients["gitops"] },
    });
    expect(outcome.status).toBe("error");
    expect(outcome.summary).toBe("search synced to 8afbb1d, but reading its Helm values failed: gitops: cannot read apps/search/values-staging.yaml");
  });

  it("accepts only a git sha as the revision", () => {
    expect(syncApplicationTool.input.safeParse({ app: "search", revision: "main" }).success).toBe(false);
    expect(syncApplicationTool.input.safeParse({ app: "Search!", revision: R.canary }).success).toBe(false);
  });
});

describe("argocd_rollback_application", () => {
  it("rolls back to a history entry, waits for Healthy and reports its model version", async () => {
    const { ctx, clock, fake } = await setup(searchApp({ health: { status: "Degraded", message: "bad canary" } }));
    const outcome = await rollbackApplicationTool.run({ app: "search", history_id: 2 }, ctx);
    if (outcome.status !== "success") throw new Error(outcome.summary);
    expect(RollbackFinding.parse(outcome.data)).toEqual({
      app: "search",
      to_history_id: 2,
      revision: R.r2,
      model_version: "5",
      health: "Healthy",
      at: clock.now().toISOString(),
    });
    expect(fake.requests[1]).toEqual({ method: "POST", path: "/api/v1/applications/search/rollback", body: { id: 2 } });
    expect(outcome.summary).toBe("search rolled back to history 2 (328c417): model 5, Healthy");
  });

  it("refuses an unknown history id, listing the available ids, without posting", async () => {
    const { ctx, fake } = await setup();
    const outcome = await rollbackApplicationTool.run({ app: "search", history_id: 9 }, ctx);
    if (outcome.status !== "error") throw new Error("expected an error");
    expect(outcome.error).toEqual({ code: "unknown_history_id", message: "search has no history entry 9; available ids: 1, 2, 3", retryable: false });
    expect(fake.requests.map((r) => r.method)).toEqual(["GET"]);
  });

  it("passes on Argo CD's refusal when auto-sync is enabled", async () => {
    const { ctx } = await setup(searchApp({ autoSync: true }));
    const outcome = await rollbackApplicationTool.run({ app: "search", history_id: 2 }, ctx);
    if (outcome.status !== "error") throw new Error("expected an error");
    expect(outcome.error).toMatchObject({ upstream_status: 400, upstream_message: "rollback cannot be initiated when auto-sync is enabled" });
  });
});

describe("argocdTools", () => {
  it("holds the three catalog tools with their flags, findings and timeouts", () => {
    expect(argocdTools.map((t) => ({ name: t.name, finding: t.finding ?? null, flags: t.flags, timeoutMs: t.timeoutMs }))).toEqual([
      { name: "argocd_get_application", finding: null, flags: { readOnly: true, destructive: false, idempotent: true, openWorld: true }, timeoutMs: 60_000 },
      { name: "argocd_sync_application", finding: "deployment", flags: { readOnly: false, destructive: true, idempotent: false, openWorld: true }, timeoutMs: 1_200_000 },
      { name: "argocd_rollback_application", finding: "rollback", flags: { readOnly: false, destructive: true, idempotent: false, openWorld: true }, timeoutMs: 1_200_000 },
    ]);
  });
});
