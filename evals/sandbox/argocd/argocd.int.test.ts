import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { argoOperation, registerVersion, startSandbox, values, type RunningSandbox } from "../test-support.js";

let s: RunningSandbox;
const APP = "/argocd/api/v1/applications/search";

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return s.json(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

async function variants(): Promise<Record<string, number>> {
  const { body } = await s.json(`/prometheus/api/v1/query?query=${encodeURIComponent('sum by (variant) (rate(search_requests_total{service="search"}[1m]))')}`);
  return Object.fromEntries(body.data.result.map((r: { metric: { variant: string }; value: [number, string] }) => [r.metric.variant, Number(r.value[1])]));
}

beforeEach(async () => {
  s = await startSandbox("ndcg-drop");
});
afterEach(() => s.close());

describe("Argo CD application", () => {
  it("starts Synced and Healthy with one history entry at the initial revision, auto-sync off", async () => {
    const { status, body } = await s.json(APP);
    expect(status).toBe(200);
    expect(body.operation).toBeUndefined();
    expect(body.spec.syncPolicy.automated).toBeUndefined();
    expect(body.status).toMatchObject({ sync: { status: "Synced", revision: "rev-1" }, health: { status: "Healthy" } });
    expect(body.status.history).toEqual([expect.objectContaining({ id: 1, revision: "rev-1" })]);
    const list = await s.json("/argocd/api/v1/applications");
    expect(list.body.items.map((a: { metadata: { name: string } }) => a.metadata.name)).toEqual(["search"]);
  });

  it("hides unknown applications behind 403 unless a project is given", async () => {
    expect(await s.json("/argocd/api/v1/applications/ghost")).toEqual({ status: 403, body: { error: "permission denied", code: 7, message: "permission denied" } });
    const withProject = await s.json("/argocd/api/v1/applications/ghost?project=default");
    expect(withProject).toMatchObject({ status: 404, body: { code: 5 } });
    expect((await post("/argocd/api/v1/applications/ghost/sync", {})).status).toBe(403);
  });

  it("syncs through Running, Succeeded, reconciled and Healthy, then serves a canary", async () => {
    const version = await registerVersion(s, "search-reranker-v1");
    s.gitops.set("rev-2", values("search-reranker", "1", { version, weight: 20 }));
    const started = await post(`${APP}/sync`, { revision: "rev-2", prune: true, dryRun: false });
    expect(started.status).toBe(200);
    expect(started.body.operation.sync).toMatchObject({ revision: "rev-2" });
    expect(started.body.status.operationState).toMatchObject({ phase: "Running" });
    expect((await post(`${APP}/sync`, { revision: "rev-2" })).body).toMatchObject({ code: 9, message: expect.stringContaining("another operation is already in progress") });

    s.clock.advance(60_000);
    const first = (await s.json(APP)).body;
    expect(first.operation).toBeDefined();
    expect(first.status.operationState.phase).toBe("Running");
    expect(first.status.operationState.finishedAt).toBeUndefined();

    const second = (await s.json(APP)).body;
    expect(second.operation).toBeUndefined();
    expect(second.status.operationState).toMatchObject({ phase: "Succeeded", finishedAt: "2026-11-20T08:01:00Z", syncResult: { revision: "rev-2" } });
    expect(second.status.reconciledAt < second.status.operationState.finishedAt).toBe(true);
    expect(second.status.health.status).toBe("Progressing");
    expect(second.status.history.map((h: { id: number; revision: string }) => [h.id, h.revision])).toEqual([
      [1, "rev-1"],
      [2, "rev-2"],
    ]);

    s.clock.advance(1_000);
    const third = (await s.json(APP)).body;
    expect(third.status.reconciledAt >= third.status.operationState.finishedAt).toBe(true);
    expect(third.status.health.status).toBe("Progressing");
    const fourth = (await s.json(APP)).body;
    expect(fourth.status).toMatchObject({ health: { status: "Healthy" }, sync: { status: "Synced", revision: "rev-2" } });

    s.clock.advance(5 * 60_000);
    const traffic = await variants();
    expect(traffic.champion).toBeCloseTo(96, 6);
    expect(traffic.candidate).toBeCloseTo(24, 6);
    const ndcg = await s.json(`/prometheus/api/v1/query?query=${encodeURIComponent("search:ndcg_at_10")}`);
    expect(ndcg.body.data.result.map((r: { metric: { variant: string } }) => r.metric.variant).sort()).toEqual(["all", "candidate", "champion"]);
    const state = (await s.json("/control/state")).body;
    expect(state.serving).toEqual({ champion: { version: "1", model: "search-reranker-v1" }, canary: { version, model: "search-reranker-v1" }, canary_weight: 20 });
  });

  it("applies values at the instant the sync finishes, even with a frozen clock", async () => {
    const before = (await s.json(`/prometheus/api/v1/query?query=${encodeURIComponent("search:ndcg_at_10")}`)).body.data.result;
    expect(before).toHaveLength(2);
    const version = await registerVersion(s, "search-reranker-v1");
    s.gitops.set("rev-2", values("search-reranker", "1", { version, weight: 50 }));
    await argoOperation(s, "sync", { revision: "rev-2" });
    const after = (await s.json(`/prometheus/api/v1/query?query=${encodeURIComponent("search:ndcg_at_10")}`)).body.data.result;
    expect(after.map((r: { metric: { variant: string } }) => r.metric.variant).sort()).toEqual(["all", "candidate", "champion"]);
  });

  it("fails a sync to an unknown revision or one without values, changing nothing", async () => {
    const unknown = await argoOperation(s, "sync", { revision: "deadbeef" });
    expect(unknown.status.operationState).toMatchObject({ phase: "Failed", message: expect.stringContaining("deadbeef") });
    expect(unknown.status.history).toHaveLength(1);
    s.gitops.set("rev-empty", null);
    const empty = await argoOperation(s, "sync", { revision: "rev-empty" });
    expect(empty.status.operationState).toMatchObject({ phase: "Failed", message: expect.stringContaining("no values") });
    expect(empty.status.health.status).toBe("Healthy");
    expect((await s.json("/control/state")).body.serving.champion.version).toBe("1");
  });

  it("marks the app Degraded when the values name a version the registry does not know", async () => {
    s.gitops.set("rev-9", values("search-reranker", "9"));
    const app = await argoOperation(s, "sync", { revision: "rev-9" });
    expect(app.status.operationState.phase).toBe("Succeeded");
    expect(app.status.health).toMatchObject({ status: "Degraded", message: expect.stringContaining("version 9") });
  });

  it("rolls back to a history entry, re-applying its revision", async () => {
    const version = await registerVersion(s, "search-reranker-v1");
    s.gitops.set("rev-2", values("search-reranker", version));
    await argoOperation(s, "sync", { revision: "rev-2" });
    expect((await s.json("/control/state")).body.serving.champion.version).toBe(version);
    expect((await post(`${APP}/rollback`, { id: 7 })).body).toMatchObject({ code: 3, message: expect.stringContaining("id 7") });
    const app = await argoOperation(s, "rollback", { id: 1 });
    expect(app.status.operationState).toMatchObject({ phase: "Succeeded", syncResult: { revision: "rev-1" } });
    expect(app.status.history.map((h: { id: number; revision: string }) => [h.id, h.revision])).toEqual([
      [1, "rev-1"],
      [2, "rev-2"],
      [3, "rev-1"],
    ]);
    expect(app.status.sync).toMatchObject({ status: "OutOfSync", revision: "rev-1" }); // HEAD still holds rev-2's values
    expect(app.status.health.status).toBe("Healthy");
    expect((await s.json("/control/state")).body.serving.champion.version).toBe("1");
  });

  it("reports Synced after a rollback when git HEAD already holds the rolled-back values", async () => {
    const version = await registerVersion(s, "search-reranker-v1");
    s.gitops.set("rev-2", values("search-reranker", version));
    await argoOperation(s, "sync", { revision: "rev-2" });
    s.gitops.set("rev-3-revert", values("search-reranker", "1"));
    const app = await argoOperation(s, "rollback", { id: 1 });
    expect(app.status.sync).toMatchObject({ status: "Synced", revision: "rev-1" });
  });

  it("terminates a running operation and runs dry syncs without applying", async () => {
    s.gitops.set("rev-2", values("search-reranker", "1"));
    await post(`${APP}/sync`, { revision: "rev-2" });
    expect((await s.json(`${APP}/operation`, { method: "DELETE" })).status).toBe(200);
    const terminated = (await s.json(APP)).body;
    expect(terminated.status.operationState).toMatchObject({ phase: "Failed", message: "Operation terminated" });
    expect((await s.json(`${APP}/operation`, { method: "DELETE" })).status).toBe(400);
    const dry = await argoOperation(s, "sync", { revision: "rev-2", dryRun: true });
    expect(dry.status.operationState.phase).toBe("Succeeded");
    expect(dry.status.history).toHaveLength(1);
  });
});

describe("Argo CD with a token", () => {
  it("requires the bearer token", async () => {
    const secured = await startSandbox("ndcg-drop", { argocdToken: "s3cret-token" });
    try {
      expect(await secured.json(APP)).toMatchObject({ status: 401, body: { code: 16, message: "no session information" } });
      expect((await secured.json(APP, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
      expect((await secured.json(APP, { headers: { authorization: "Bearer s3cret-token" } })).status).toBe(200);
      expect((await secured.json(APP, { headers: { cookie: "argocd.token=s3cret-token" } })).status).toBe(200);
      expect((await secured.json("/prometheus/api/v1/query?query=1")).status).toBe(200);
    } finally {
      await secured.close();
    }
  });
});
