import { describe, expect, it } from "vitest";
import { isAutopilotError, SimulatedClock } from "../../core/index.js";
import { loadFixture } from "../prometheus/testing/replay-fixture.js";
import { ArgoCdClient, ArgoCdOperationError } from "./client.js";

const START = new Date("2026-08-01T12:00:00Z");
const NEW = "8afbb1d13ee46f8d31438012551e1a919db506c3";
const OLD = "3ac7a5b374cdaef51f9f8f199fdd1012b0097d57";

// The documented Application of the fixture, as the starting point of every state.
type App = { operation?: unknown; status: Record<string, unknown> & { history: unknown[] } };
const base = () => structuredClone(loadFixture(import.meta.url, "get-application.json").response.body) as App;
const at = (seconds: number) => new Date(START.getTime() + seconds * 1000).toISOString().replace(".000", "");

function state(patch: (app: App) => void): App {
  const app = base();
  patch(app);
  return app;
}
const requested = state((a) => (a.operation = { sync: { revision: NEW } }));
const running = state((a) => {
  a.status.operationState = { phase: "Running", message: "waiting for healthy state of apps/Deployment/search-reranker", startedAt: at(2) };
  a.status.sync = { status: "OutOfSync", revision: OLD };
});
const finished = (phase: string, extra: (a: App) => void = () => undefined) =>
  state((a) => {
    a.status.operationState = { phase, message: "successfully synced (all tasks run)", startedAt: at(2), finishedAt: at(4), syncResult: { revision: NEW } };
    a.status.history.push({ id: 4, revision: NEW, deployedAt: at(4) });
    a.status.sync = { status: "Synced", revision: NEW };
    extra(a);
  });
// Succeeded, but the controller has not reconciled since: the health shown is the old one.
const succeededLagging = finished("Succeeded");
const reconciledProgressing = finished("Succeeded", (a) => {
  a.status.reconciledAt = at(6);
  a.status.health = { status: "Progressing", message: "Waiting for rollout to finish: 1 old replicas are pending termination..." };
});
const healthy = finished("Succeeded", (a) => (a.status.reconciledAt = at(8)));

function scripted(states: App[]) {
  let polls = 0;
  const fetch = (async () => new Response(JSON.stringify(states[Math.min(polls++, states.length - 1)]), { status: 200 })) as typeof globalThis.fetch;
  const clock = new SimulatedClock({ start: START });
  const client = new ArgoCdClient({ baseUrl: "http://argocd.test", token: "t0ken-secret", fetch, clock, pollIntervalMs: 2000 });
  return { client, clock, polls: () => polls };
}

async function failure(promise: Promise<unknown>): Promise<ArgoCdOperationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ArgoCdOperationError)) throw new Error(`expected an ArgoCdOperationError, got ${String(error)}`);
  return error;
}

const wait = { since: START, expectRevision: NEW, requireHealthy: true, timeoutMs: 60_000 };

describe("ArgoCdClient.waitForOperation", () => {
  it("waits through the request, Running, Succeeded with reconciledAt lagging, and Progressing, until Healthy", async () => {
    const { client, clock, polls } = scripted([requested, running, succeededLagging, reconciledProgressing, healthy]);
    const app = await client.waitForOperation("search", wait);
    expect(polls()).toBe(5);
    expect(app.status?.health?.status).toBe("Healthy");
    expect(app.status?.reconciledAt).toBe(at(8));
    expect(clock.now().getTime() - START.getTime()).toBe(4 * 2000);
  });

  it("does not wait for the reconcile, nor for health, after a dry run", async () => {
    const { client, polls } = scripted([running, succeededLagging, healthy]);
    await client.waitForOperation("search", { ...wait, dryRun: true, requireHealthy: false });
    expect(polls()).toBe(2);
  });

  it("ignores the finished state of an earlier operation", async () => {
    const { client, polls } = scripted([base(), healthy]);
    await client.waitForOperation("search", wait);
    expect(polls()).toBe(2);
  });

  it("fails with the operation's message and the failed resources' messages", async () => {
    const failed = finished("Failed", (a) => {
      a.status.reconciledAt = at(6);
      a.status.history.pop();
      a.status.operationState = {
        phase: "Failed",
        message: "one or more objects failed to apply, reason: Deployment.apps \"search-reranker\" is invalid",
        startedAt: at(2),
        finishedAt: at(4),
        syncResult: {
          revision: NEW,
          resources: [
            { group: "apps", version: "v1", kind: "Deployment", namespace: "search", name: "search-reranker", status: "SyncFailed", message: "spec.template.spec.containers[0].image: Required value", syncPhase: "Sync" },
            { version: "v1", kind: "ConfigMap", namespace: "search", name: "search-reranker-model", status: "Synced", message: "configmap/search-reranker-model configured" },
          ],
        },
      };
    });
    const { client } = scripted([running, failed]);
    const error = await failure(client.waitForOperation("search", wait));
    expect(isAutopilotError(error)).toBe(true);
    expect(error.code).toBe("operation_failed");
    expect(error.message).toContain('one or more objects failed to apply, reason: Deployment.apps "search-reranker" is invalid');
    expect(error.message).toContain("Deployment/search-reranker: spec.template.spec.containers[0].image: Required value");
    expect(error.message).not.toContain("configmap/search-reranker-model configured");
    expect(error.resources).toEqual([
      { kind: "Deployment", name: "search-reranker", namespace: "search", message: "spec.template.spec.containers[0].image: Required value" },
    ]);
    expect(error.details).toMatchObject({ system: "argocd", app: "search", phase: "Failed" });
  });

  it("after a rollback, accepts a Healthy app that stays OutOfSync only when Synced is not required", async () => {
    const rolledBack = finished("Succeeded", (a) => {
      a.status.reconciledAt = at(6);
      a.status.sync = { status: "OutOfSync", revision: NEW };
    });
    const { client, polls } = scripted([running, rolledBack]);
    await client.waitForOperation("search", { ...wait, requireSynced: false });
    expect(polls()).toBe(2);
    const strict = scripted([rolledBack]);
    await expect(strict.client.waitForOperation("search", { ...wait, timeoutMs: 6_000 })).rejects.toThrow(/OutOfSync and Healthy/);
  });

  it("fails when the app ends Degraded or Missing", async () => {
    const degraded = finished("Succeeded", (a) => {
      a.status.reconciledAt = at(6);
      a.status.health = { status: "Degraded", message: 'Deployment "search-reranker" exceeded its progress deadline' };
    });
    const error = await failure(scripted([degraded]).client.waitForOperation("search", wait));
    expect(error.code).toBe("app_degraded");
    expect(error.message).toContain("exceeded its progress deadline");
    const missing = finished("Succeeded", (a) => {
      a.status.reconciledAt = at(6);
      a.status.health = { status: "Missing" };
    });
    expect((await failure(scripted([missing]).client.waitForOperation("search", wait))).code).toBe("app_missing");
  });

  it("fails when another revision was synced", async () => {
    const { client } = scripted([healthy]);
    const error = await failure(client.waitForOperation("search", { ...wait, expectRevision: "0123456789abcdef0123456789abcdef01234567" }));
    expect(error.code).toBe("revision_mismatch");
    expect(error.message).toContain(NEW);
  });

  it("accepts a short sha for the expected revision", async () => {
    const { client } = scripted([healthy]);
    await expect(client.waitForOperation("search", { ...wait, expectRevision: NEW.slice(0, 8) })).resolves.toBeDefined();
  });

  it("gives up after timeoutMs / pollIntervalMs polls on a simulated clock", async () => {
    const { client, clock, polls } = scripted([running]);
    const error = await failure(client.waitForOperation("search", { ...wait, timeoutMs: 10_000 }));
    expect(error.code).toBe("operation_timeout");
    expect(error.message).toContain("the operation is Running");
    expect(polls()).toBe(6);
    expect(clock.now().getTime() - START.getTime()).toBe(10_000);
  });
});
