import * as fs from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import git from "isomorphic-git";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SimulatedClock } from "../../core/index.js";
import { GitOpsRepo } from "./repo.js";
import type { HelmValues } from "./values.js";

const INITIAL: HelmValues = { model: { name: "search-reranker", version: "1" }, canary: { enabled: false, version: null, weight: 0 }, replicas: 2 };

let tmp: string;
let clock: SimulatedClock;
let repo: GitOpsRepo;

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), "gitops-"));
  clock = new SimulatedClock({ start: new Date("2026-03-01T12:00:00Z") });
  repo = await GitOpsRepo.open({ dir: join(tmp, "repo"), clock });
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("GitOpsRepo", () => {
  it("starts empty on branch main", async () => {
    expect(await repo.head()).toBeNull();
    expect(await repo.log(5)).toEqual([]);
    expect(await repo.readValues("search", "dev")).toBeNull();
    expect(await git.currentBranch({ fs, dir: join(tmp, "repo") })).toBe("main");
    expect(repo.valuesPath("search", "production")).toBe("apps/search/production/values.yaml");
    expect(() => repo.valuesPath("../x", "dev")).toThrow(/not a valid app/);
  });

  it("initialises an app once and reads values at each revision", async () => {
    const first = await repo.initApp("search", "dev", INITIAL);
    expect(await repo.initApp("search", "dev", { ...INITIAL, replicas: 9 })).toBe(first);
    expect(await repo.readValues("search", "dev")).toEqual(INITIAL);

    clock.advance(60_000);
    const canary = await repo.writeValues("search", "dev", { canary: { enabled: true, version: "2", weight: 10 } }, "Canary 2 at 10%\n\nNDCG gate passed");
    expect(canary).toMatchObject({ changed: true, path: "apps/search/dev/values.yaml" });
    expect(canary.values).toEqual({ ...INITIAL, canary: { enabled: true, version: "2", weight: 10 } });
    expect(canary.patchYaml).toBe("canary:\n  enabled: true\n  version: \"2\"\n  weight: 10\n");
    expect(await repo.head()).toBe(canary.revision);

    expect(await repo.readValues("search", "dev", first)).toEqual(INITIAL);
    expect(await repo.readValues("search", "dev", canary.revision)).toEqual(canary.values);
    expect(await repo.readValues("search", "dev", canary.revision.slice(0, 8))).toEqual(canary.values);
    expect(await repo.readFile(canary.revision, "apps/search/dev/values.yaml")).toBe(
      "model:\n  name: search-reranker\n  version: \"1\"\ncanary:\n  enabled: true\n  version: \"2\"\n  weight: 10\nreplicas: 2\n",
    );
    expect(await repo.readFile(first, "apps/other/dev/values.yaml")).toBeNull();
    // The working tree shows what was committed, for anyone (Argo CD) reading the directory.
    expect(await readFile(join(tmp, "repo", "apps", "search", "dev", "values.yaml"), "utf8")).toContain("weight: 10");

    expect(await repo.log(10)).toEqual([
      { revision: canary.revision, message: "Canary 2 at 10%\n\nNDCG gate passed", at: "2026-03-01T12:01:00.000Z" },
      { revision: first, message: "Initialise search values for dev", at: "2026-03-01T12:00:00.000Z" },
    ]);
    expect(await repo.log(1)).toHaveLength(1);
    expect(await repo.hasRevision(first)).toBe(true);
    expect(await repo.hasRevision(first.slice(0, 7))).toBe(true);
    expect(await repo.hasRevision("0".repeat(40))).toBe(false);
    expect(await repo.hasRevision("no-such-branch")).toBe(false);
    await expect(repo.readFile("0".repeat(40), "x")).rejects.toThrow(/does not exist/);
  });

  it("makes no commit when the patch changes nothing", async () => {
    const first = await repo.initApp("search", "dev", INITIAL);
    const same = await repo.writeValues("search", "dev", { model: { version: "1" } }, "no-op");
    expect(same).toMatchObject({ changed: false, revision: first, values: INITIAL });
    expect(await repo.log(10)).toHaveLength(1);
  });

  it("refuses to patch an app that has no values yet, unless the patch is complete", async () => {
    await expect(repo.writeValues("search", "dev", { model: { version: "2" } }, "x")).rejects.toMatchObject({ code: "gitops_values_missing" });
    const full = await repo.writeValues("search", "staging", INITIAL, "Add staging");
    expect(full.changed).toBe(true);
  });

  it("serializes concurrent writes so none is lost", async () => {
    await repo.initApp("search", "dev", INITIAL);
    const other = await GitOpsRepo.open({ dir: join(tmp, "repo"), clock });
    const writes = Array.from({ length: 8 }, (_, i) =>
      (i % 2 ? other : repo).writeValues("search", "dev", { [`flag${i}`]: i } as Partial<HelmValues>, `set flag${i}`),
    );
    const results = await Promise.all(writes);
    expect(new Set(results.map((r) => r.revision)).size).toBe(8);
    const final = await repo.readValues("search", "dev");
    for (let i = 0; i < 8; i++) expect(final?.[`flag${i}`]).toBe(i);
    expect(await repo.log(20)).toHaveLength(9);
  });

  it("rejects a malformed values file with a clear error", async () => {
    await repo.initApp("search", "dev", INITIAL);
    const dir = join(tmp, "repo");
    await writeFile(join(dir, "apps/search/dev/values.yaml"), "model:\n  name: search-reranker\ncanary: yes\n");
    await git.add({ fs, dir, filepath: "apps/search/dev/values.yaml" });
    await git.commit({ fs, dir, message: "hand edit", author: { name: "someone", email: "a@b" } });
    await expect(repo.readValues("search", "dev")).rejects.toThrow(/apps\/search\/dev\/values.yaml@[0-9a-f]{7} is not a valid values file: model.version/);
    await expect(repo.writeValues("search", "dev", { model: { version: "2" } }, "x")).rejects.toMatchObject({ code: "gitops_values_invalid" });
  });

  it("opens an existing repository and refuses one on another branch", async () => {
    const first = await repo.initApp("search", "dev", INITIAL);
    expect(await (await GitOpsRepo.open({ dir: join(tmp, "repo"), clock })).head()).toBe(first);
    await expect(GitOpsRepo.open({ dir: join(tmp, "repo"), branch: "prod", clock })).rejects.toThrow(/expected prod/);
  });
});
