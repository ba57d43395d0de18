import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_TRIGGER_CONTRACT, SimulatedClock, type Environment } from "../../core/index.js";
import type { ToolClients } from "../clients.js";
import type { ToolContext, ToolOutcome } from "../tool.js";
import { GitOpsRepo } from "./repo.js";
import { gitopsTools } from "./toolset.js";

const tool = gitopsTools.find((t) => t.name === "gitops_write_values")!;

let tmp: string;
let repo: GitOpsRepo;
const clock = new SimulatedClock({ start: new Date("2026-03-01T12:00:00Z") });

function context(environment: Environment = "staging"): ToolContext {
  return {
    clients: { gitops: repo } as unknown as ToolClients,
    clock,
    signal: new AbortController().signal,
    environment,
    contract: DEFAULT_TRIGGER_CONTRACT,
    cycleId: "si_2026_03_01_001",
  };
}

const call = (input: Record<string, unknown>, ctx = context()): Promise<ToolOutcome> => tool.run(tool.input.parse(input), ctx);

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), "gitops-tool-"));
  repo = await GitOpsRepo.open({ dir: tmp, clock });
  await repo.initApp("search", "staging", { model: { name: "search-reranker", version: "4" }, canary: { enabled: false, version: null, weight: 0 } });
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("gitops_write_values", () => {
  it("is destructive, idempotent and open-world", () => {
    expect(tool.flags).toEqual({ readOnly: false, destructive: true, idempotent: true, openWorld: true });
    expect(tool.input.parse({ app: "search", model_version: "4", reason: "r" })).toEqual({ app: "search", model_version: "4", reason: "r" });
    expect(tool.input.safeParse({ app: "search", model_version: "4", canary_weight: 101, reason: "r" }).success).toBe(false);
  });

  it("starts a canary in the context's environment and returns the patch artifact", async () => {
    const out = await call({ app: "search", model_version: "4", canary_version: "5", canary_weight: 10, reason: "Candidate 5 passed the quality gate." });
    if (out.status !== "success") throw new Error(JSON.stringify(out));
    const data = out.data as { revision: string; changed: boolean };
    expect(out.data).toMatchObject({
      app: "search",
      environment: "staging",
      path: "apps/search/staging/values.yaml",
      changed: true,
      values: { model: { name: "search-reranker", version: "4" }, canary: { enabled: true, version: "5", weight: 10 } },
    });
    expect(await repo.head()).toBe(data.revision);
    expect(out.artifacts).toEqual([
      {
        kind: "helm_values_patch",
        name: "search-staging-values.patch.yaml",
        mediaType: "application/yaml",
        content: "model:\n  version: \"4\"\ncanary:\n  enabled: true\n  version: \"5\"\n  weight: 10\n",
      },
    ]);
    expect((await repo.log(1))[0]?.message).toBe("search/staging: model 4, canary 5 at 10%\n\nCandidate 5 passed the quality gate.");
  });

  it("promotes by disabling the canary, and makes no commit the second time", async () => {
    await call({ app: "search", model_version: "4", canary_version: "5", canary_weight: 10, reason: "canary" });
    const promote = await call({ app: "search", model_version: "5", reason: "A/B test won" });
    expect(promote).toMatchObject({ status: "success", data: { changed: true, values: { model: { version: "5" }, canary: { enabled: false, version: null, weight: 0 } } } });
    const again = await call({ app: "search", model_version: "5", canary_weight: 0, reason: "A/B test won" });
    expect(again).toMatchObject({ status: "success", data: { changed: false } });
    expect(again.summary).toContain("nothing committed");
    expect(await repo.log(10)).toHaveLength(3);
  });

  it("refuses a canary weight without a canary version", async () => {
    const out = await call({ app: "search", model_version: "4", canary_weight: 20, reason: "x" });
    expect(out).toMatchObject({ status: "error", error: { code: "invalid_input", retryable: false } });
    expect(await repo.log(10)).toHaveLength(1);
  });

  it("returns an error for an app without values in this environment", async () => {
    const out = await call({ app: "search", model_version: "4", reason: "x" }, context("production"));
    expect(out).toMatchObject({ status: "error", error: { code: "gitops_values_missing" } });
  });
});

const byName = (name: string) => gitopsTools.find((t) => t.name === name)!;
const run = (name: string, input: Record<string, unknown>) => byName(name).run(byName(name).input.parse(input), context());
const withProcessors = () =>
  repo.writeValues("search", "staging", { processors: { embed: { workers: 4 }, crawl: { workers: 2 } } } as never, "add processors");

describe("processor capacity", () => {
  it("scales processors without touching the model, and refuses a canary without a model", async () => {
    await withProcessors();
    const out = await call({ app: "search", processors: { embed: { workers: 8 } }, reason: "backlog" });
    if (out.status !== "success") throw new Error(out.summary);
    expect(await repo.readValues("search", "staging")).toMatchObject({ model: { version: "4" }, processors: { embed: { workers: 8 }, crawl: { workers: 2 } } });
    expect(out.summary).toContain("processors embed=8");
    expect((await call({ app: "search", reason: "nothing" })).status).toBe("error");
    expect((await call({ app: "search", canary_version: "5", canary_weight: 10, reason: "r" })).summary).toContain("needs the model_version");
  });

  it("gates a capacity change: known processors, at most 4x, the model untouched; the approved proposal is recorded", async () => {
    await withProcessors();
    const ok = await run("gitops_check_change", { app: "search", processors: { embed: { workers: 8 } } });
    if (ok.status !== "success") throw new Error(ok.summary);
    expect(ok.data).toMatchObject({ passed: true, proposal: { processors: { embed: { workers: 8 } } }, champion: { version: "4" } });
    const tooMuch = await run("gitops_check_change", { app: "search", processors: { embed: { workers: 40 } } });
    if (tooMuch.status !== "success") throw new Error(tooMuch.summary);
    expect(tooMuch.data).toMatchObject({ passed: false });
    expect(tooMuch.summary).toContain("more than 4x");
    const unknown = await run("gitops_check_change", { app: "search", processors: { rank: { workers: 2 } } });
    expect(unknown.status === "success" && (unknown.data as { passed: boolean }).passed).toBe(false);
    expect(byName("gitops_check_change").finding).toBe("evaluation");
  });

  it("restores the exact values of an earlier revision, dropping keys added since", async () => {
    const before = (await repo.head())!;
    await withProcessors();
    await call({ app: "search", model_version: "5", reason: "promote" });
    const out = await run("gitops_restore_values", { app: "search", revision: before, reason: "rolled back" });
    if (out.status !== "success") throw new Error(out.summary);
    const values = await repo.readValues("search", "staging");
    expect(values).toEqual({ model: { name: "search-reranker", version: "4" }, canary: { enabled: false, version: null, weight: 0 } });
    const again = await run("gitops_restore_values", { app: "search", revision: before, reason: "rolled back" });
    expect(again.status === "success" && (again.data as { changed: boolean }).changed).toBe(false);
  });

  it("reads what Git says the app runs", async () => {
    await withProcessors();
    const out = await run("gitops_get_values", { app: "search" });
    expect(out.status).toBe("success");
    expect(out.summary).toContain("model 4; processors embed=4, crawl=2");
    expect((await run("gitops_get_values", { app: "billing" })).status).toBe("no_data");
  });
});
