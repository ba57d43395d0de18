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
    expect(tool.input.parse({ app: "search", model_version: "4", reason: "r" })).toEqual({ app: "search", model_version: "4", canary_weight: 0, reason: "r" });
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
