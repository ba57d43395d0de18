import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DatasetFinding, DEFAULT_TRIGGER_CONTRACT, SimulatedClock } from "../../core/index.js";
import type { ToolClients } from "../clients.js";
import type { AnyTool, ToolContext, ToolOutcome } from "../tool.js";
import { seedDataset } from "./dataset.js";
import { dvcTools } from "./toolset.js";
import { DvcWorkspace } from "./workspace.js";

const tool = (name: string): AnyTool => dvcTools.find((t) => t.name === name)!;

function context(dvc: DvcWorkspace, paraphrase?: ToolContext["paraphrase"]): ToolContext {
  return {
    clients: { dvc } as unknown as ToolClients,
    clock: new SimulatedClock({ start: new Date("2026-01-01T00:00:00Z") }),
    signal: new AbortController().signal,
    environment: "dev",
    contract: DEFAULT_TRIGGER_CONTRACT,
    cycleId: null,
    paraphrase,
  };
}

async function call(name: string, input: Record<string, unknown>, ctx: ToolContext): Promise<ToolOutcome> {
  const t = tool(name);
  return t.run(t.input.parse(input), ctx);
}

function success(outcome: ToolOutcome): Extract<ToolOutcome, { status: "success" }> {
  if (outcome.status !== "success") throw new Error(`expected success, got ${JSON.stringify(outcome)}`);
  return outcome;
}

let tmp: string;
let ws: DvcWorkspace;

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), "dvc-tools-"));
  ws = await DvcWorkspace.open(join(tmp, "ws"));
  await seedDataset(ws, "search-relevance", { topics: ["books", "electronics", "music"], queriesPerTopic: 6 });
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("dvc tool definitions", () => {
  it("declares the flags and the finding of each tool", () => {
    expect(dvcTools.map((t) => t.name)).toEqual(["dvc_get_dataset", "dvc_augment_dataset", "dvc_tag_dataset", "dvc_snapshot_series"]);
    expect(tool("dvc_snapshot_series").flags).toEqual({ readOnly: false, destructive: false, idempotent: true, openWorld: true });
    expect(tool("dvc_snapshot_series").finding).toBe("dataset");
    expect(tool("dvc_tag_dataset").flags).toEqual({ readOnly: false, destructive: false, idempotent: true, openWorld: false });
    expect(tool("dvc_get_dataset").flags).toEqual({ readOnly: true, destructive: false, idempotent: true, openWorld: false });
    expect(tool("dvc_augment_dataset").flags).toEqual({ readOnly: false, destructive: false, idempotent: true, openWorld: true });
    expect(tool("dvc_augment_dataset").finding).toBe("dataset");
  });

  it("validates inputs and applies defaults", () => {
    const augment = tool("dvc_augment_dataset").input;
    expect(augment.parse({ dataset: "search-relevance", topics: ["books"] })).toEqual({ dataset: "search-relevance", topics: ["books"], queries_per_topic: 10, seed: 1 });
    expect(augment.safeParse({ dataset: "search-relevance", topics: ["Bad Topic"] }).success).toBe(false);
    expect(augment.safeParse({ dataset: "search-relevance", topics: [] }).success).toBe(false);
    expect(augment.safeParse({ dataset: "search-relevance", topics: ["a"], queries_per_topic: 501 }).success).toBe(false);
    expect(tool("dvc_get_dataset").input.safeParse({ name: "../etc" }).success).toBe(false);
  });
});

describe("dvc_get_dataset", () => {
  it("describes a dataset version with rows per topic and source", async () => {
    const out = success(await call("dvc_get_dataset", { name: "search-relevance" }, context(ws)));
    const recorded = await ws.readDvcFile("datasets/search-relevance");
    expect(out.data).toEqual({
      name: "search-relevance",
      path: "datasets/search-relevance",
      abs_path: join(ws.root, "datasets", "search-relevance"),
      md5: recorded!.md5,
      size: recorded!.size,
      nfiles: 2,
      status: "unchanged",
      rows: { train: 3 * 6 * 30, eval: 3 * 2 * 30 },
      topics: { books: { base: 240, augmented: 0 }, electronics: { base: 240, augmented: 0 }, music: { base: 240, augmented: 0 } },
    });
  });

  it("answers no_data for a dataset that does not exist", async () => {
    const out = await call("dvc_get_dataset", { name: "nope" }, context(ws));
    expect(out.status).toBe("no_data");
    expect(out.summary).toContain("nope");
  });
});

describe("dvc_augment_dataset", () => {
  const input = { dataset: "search-relevance", topics: ["music", "books"], queries_per_topic: 5, seed: 3 };

  it("writes the augmented version, its .dvc file, the dvc.lock stage and a manifest", async () => {
    const baseBefore = await ws.readDvcFile("datasets/search-relevance");
    const out = success(await call("dvc_augment_dataset", input, context(ws)));
    const finding = DatasetFinding.parse(out.data);
    const added = 2 * (5 + 2) * 30;
    expect(finding).toMatchObject({
      name: "search-relevance-augmented",
      path: "datasets/search-relevance-augmented",
      abs_path: join(ws.root, "datasets", "search-relevance-augmented"),
      nfiles: 2,
      dvc_file: "datasets/search-relevance-augmented.dvc",
      base_md5: baseBefore!.md5,
      rows: 3 * 8 * 30 + added,
      examples_added: added,
      topics: ["books", "music"],
    });
    expect(await ws.readDvcFile("datasets/search-relevance-augmented")).toMatchObject({ md5: finding.md5, size: finding.size });
    expect(await ws.status("datasets/search-relevance-augmented")).toBe("unchanged");
    expect(out.summary).toContain(`books +${added / 2}`);
    expect(out.summary).toContain(finding.md5);

    // The base is untouched.
    expect(await ws.readDvcFile("datasets/search-relevance")).toEqual(baseBefore);
    expect(await ws.status("datasets/search-relevance")).toBe("unchanged");

    const stage = await ws.readLockStage("augment-search-relevance");
    expect(stage).toEqual({
      cmd: "autopilot augment --dataset search-relevance --topics books,music --queries-per-topic 5 --seed 3",
      deps: [{ path: "datasets/search-relevance", hash: "md5", md5: baseBefore!.md5, size: baseBefore!.size, nfiles: 2 }],
      outs: [{ path: "datasets/search-relevance-augmented", hash: "md5", md5: finding.md5, size: finding.size, nfiles: 2 }],
    });

    const artifact = out.artifacts?.[0];
    expect(artifact).toMatchObject({ kind: "dataset_manifest", name: "search-relevance-augmented.json", mediaType: "application/json" });
    const manifest = JSON.parse(artifact!.content);
    const trainCsv = join(ws.root, "datasets", "search-relevance-augmented", "train.csv");
    expect(manifest.files["train.csv"]).toEqual({ ...(await ws.hashFile(trainCsv)), rows: 3 * 6 * 30 + 2 * 5 * 30 });
    expect(manifest.rows.train.music).toEqual({ base: 180, augmented: 150 });
    expect(manifest.rows.eval.books).toEqual({ base: 60, augmented: 60 });
    expect(manifest.rows.train.electronics).toEqual({ base: 180, augmented: 0 });
    expect(manifest.stage).toEqual({ name: "augment-search-relevance", ...stage });

    // The base rows come first and unchanged.
    const baseTrain = await readFile(join(ws.root, "datasets", "search-relevance", "train.csv"), "utf8");
    expect((await readFile(trainCsv, "utf8")).startsWith(baseTrain)).toBe(true);
  });

  it("gives the same md5 for the same input, byte for byte, in this and another workspace", async () => {
    const first = success(await call("dvc_augment_dataset", input, context(ws)));
    const second = success(await call("dvc_augment_dataset", { ...input, topics: ["books", "music", "books"] }, context(ws)));
    expect((second.data as DatasetFinding).md5).toBe((first.data as DatasetFinding).md5);
    expect(second.summary).toContain("already up to date");

    const other = await DvcWorkspace.open(join(tmp, "other"));
    await seedDataset(other, "search-relevance", { topics: ["books", "electronics", "music"], queriesPerTopic: 6 });
    const third = success(await call("dvc_augment_dataset", input, context(other)));
    expect(third.data).toMatchObject({ md5: (first.data as DatasetFinding).md5, size: (first.data as DatasetFinding).size });
    for (const file of ["train.csv", "eval.csv"]) {
      expect(await readFile(join(other.root, "datasets", "search-relevance-augmented", file))).toEqual(
        await readFile(join(ws.root, "datasets", "search-relevance-augmented", file)),
      );
    }

    // A different seed is a different version, and the stage follows it.
    const fourth = success(await call("dvc_augment_dataset", { ...input, seed: 4 }, context(ws)));
    expect((fourth.data as DatasetFinding).md5).not.toBe((first.data as DatasetFinding).md5);
    expect((await ws.readLockStage("augment-search-relevance"))?.cmd).toContain("--seed 4");
  });

  it("regenerates when the output was modified by hand", async () => {
    const first = success(await call("dvc_augment_dataset", input, context(ws)));
    await rm(join(ws.root, "datasets", "search-relevance-augmented", "eval.csv"));
    const again = success(await call("dvc_augment_dataset", input, context(ws)));
    expect(again.summary).not.toContain("already up to date");
    expect((again.data as DatasetFinding).md5).toBe((first.data as DatasetFinding).md5);
  });

  it("uses ctx.paraphrase, and keeps template texts when it fails", async () => {
    const plain = success(await call("dvc_augment_dataset", input, context(ws)));
    const other = await DvcWorkspace.open(join(tmp, "para"));
    await seedDataset(other, "search-relevance", { topics: ["books", "electronics", "music"], queriesPerTopic: 6 });
    let signalSeen: AbortSignal | undefined;
    const rewritten = success(
      await call("dvc_augment_dataset", input, context(other, async (texts, signal) => {
        signalSeen = signal;
        return texts.map((t) => `looking for ${t}`);
      })),
    );
    expect(signalSeen).toBeInstanceOf(AbortSignal);
    expect((rewritten.data as DatasetFinding).md5).not.toBe((plain.data as DatasetFinding).md5);
    expect(await readFile(join(other.root, "datasets", "search-relevance-augmented", "train.csv"), "utf8")).toContain("looking for ");
    expect(JSON.parse(rewritten.artifacts![0]!.content).paraphrase).toEqual({ status: "applied" });

    const failing = await DvcWorkspace.open(join(tmp, "fail"));
    await seedDataset(failing, "search-relevance", { topics: ["books", "electronics", "music"], queriesPerTopic: 6 });
    const fallback = success(
      await call("dvc_augment_dataset", input, context(failing, async () => {
        throw new Error("rate limited");
      })),
    );
    expect((fallback.data as DatasetFinding).md5).toBe((plain.data as DatasetFinding).md5);
    expect(fallback.summary).toContain("Paraphrasing failed (rate limited)");
  });

  it("pushes the new version to the workspace's default remote, and reports a failed push without failing", async () => {
    const remoteDir = join(tmp, "remote");
    const pushing = await DvcWorkspace.open(ws.root, { remote: { url: remoteDir }, dvcExecutable: null });
    const out = success(await call("dvc_augment_dataset", input, context(pushing)));
    expect(out.summary).toMatch(/Pushed \d+ new objects to remote autopilot\./);
    const finding = DatasetFinding.parse(out.data);
    const dirObject = join(remoteDir, "files", "md5", finding.md5.slice(0, 2), finding.md5.slice(2));
    expect(JSON.parse(await readFile(dirObject, "utf8"))).toHaveLength(2);

    const unsupported = await DvcWorkspace.open(ws.root, { remote: { url: "s3://bucket/dvc" }, dvcExecutable: null });
    const again = success(await call("dvc_augment_dataset", { ...input, seed: 4 }, context(unsupported)));
    expect(again.summary).toContain("Pushing to remote autopilot failed");
    expect(again.summary).toContain("only in the local cache");
  });

  it("returns an error naming the missing base dataset", async () => {
    const out = await call("dvc_augment_dataset", { ...input, dataset: "missing" }, context(ws));
    expect(out).toMatchObject({ status: "error", error: { code: "dataset_not_found", retryable: false } });
  });
});

describe("dvc_tag_dataset", () => {
  it("records the current version under a tag beside the .dvc file, idempotently", async () => {
    const recorded = await ws.readDvcFile("datasets/search-relevance");
    const first = success(await call("dvc_tag_dataset", { dataset: "search-relevance", tag: "stable-2", note: "trained v2" }, context(ws)));
    expect(first.data).toMatchObject({ dataset: "search-relevance", tag: "stable-2", md5: recorded!.md5, size: recorded!.size, note: "trained v2", file: "datasets/search-relevance.tags.yaml" });
    const again = success(await call("dvc_tag_dataset", { dataset: "search-relevance", tag: "stable-2" }, context(ws)));
    expect(again.summary).toContain("already tagged");
    const file = await readFile(join(tmp, "ws", "datasets", "search-relevance.tags.yaml"), "utf8");
    expect(file.match(/tag: stable-2/g)).toHaveLength(1);
    expect(file).toContain(recorded!.md5);
  });

  it("refuses to move a tag to another version of the data", async () => {
    const augmented = { dataset: "search-relevance-augmented" };
    success(await call("dvc_augment_dataset", { dataset: "search-relevance", topics: ["books"], queries_per_topic: 3, seed: 1 }, context(ws)));
    const v2 = success(await call("dvc_tag_dataset", { ...augmented, tag: "stable-2" }, context(ws)));
    success(await call("dvc_augment_dataset", { dataset: "search-relevance", topics: ["books"], queries_per_topic: 3, seed: 2 }, context(ws)));
    const moved = await call("dvc_tag_dataset", { ...augmented, tag: "stable-2" }, context(ws));
    expect(moved.status).toBe("error");
    expect(moved.summary).toContain("tags never move");
    const v3 = success(await call("dvc_tag_dataset", { ...augmented, tag: "stable-3" }, context(ws)));
    expect((v3.data as { md5: string }).md5).not.toBe((v2.data as { md5: string }).md5);
  });

  it("answers no_data for an untracked dataset and rejects a malformed tag", async () => {
    expect((await call("dvc_tag_dataset", { dataset: "nothing-here", tag: "stable-1" }, context(ws))).status).toBe("no_data");
    expect(tool("dvc_tag_dataset").input.safeParse({ dataset: "search-relevance", tag: "Stable 1" }).success).toBe(false);
  });
});
