import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CANDIDATES_PER_QUERY, evalQueriesFor, generateAugmentedRows, generateBaseDataset, seedDataset } from "./dataset.js";
import { DATASET_COLUMNS, parseDatasetCsv, type DatasetRow } from "./dataset-rows.js";
import { SHARED_SLOTS, TOPIC_VOCABULARIES, genericVocabulary } from "./vocabulary.js";
import { DvcWorkspace } from "./workspace.js";

const TOPICS = ["electronics", "books", "fashion", "home", "sports", "travel", "groceries", "music"];

function mean(rows: DatasetRow[], key: "bm25" | "semantic" | "clicks"): number {
  return rows.reduce((sum, r) => sum + r[key], 0) / rows.length;
}

describe("generateBaseDataset", () => {
  const data = generateBaseDataset({ topics: [...TOPICS, "pet_supplies"], queriesPerTopic: 20, seed: 7 });

  it("is deterministic for a seed and differs across seeds", () => {
    expect(generateBaseDataset({ topics: [...TOPICS, "pet_supplies"], queriesPerTopic: 20, seed: 7 })).toEqual(data);
    const other = generateBaseDataset({ topics: ["books"], queriesPerTopic: 20, seed: 8 });
    expect(other.train.map((r) => r.query)).not.toEqual(data.train.filter((r) => r.topic === "books").map((r) => r.query));
  });

  it("gives every query 30 candidates and keeps eval queries apart from train", () => {
    const perQuery = new Map<string, number>();
    for (const r of [...data.train, ...data.eval]) perQuery.set(r.query_id, (perQuery.get(r.query_id) ?? 0) + 1);
    expect(new Set(perQuery.values())).toEqual(new Set([CANDIDATES_PER_QUERY]));
    expect(perQuery.size).toBe(9 * (20 + evalQueriesFor(20)));
    const trainIds = new Set(data.train.map((r) => r.query_id));
    const trainTexts = new Set(data.train.map((r) => r.query));
    expect(data.eval.some((r) => trainIds.has(r.query_id) || trainTexts.has(r.query))).toBe(false);
    expect(evalQueriesFor(20)).toBe(4);
    expect(evalQueriesFor(3)).toBe(2);
    expect(data.train.every((r) => r.source === "base")).toBe(true);
  });

  it("skews labels towards 0/1 and makes features increase with the label", () => {
    const counts = [0, 0, 0, 0];
    for (const r of data.train) counts[r.label]!++;
    const share = counts.map((c) => c / data.train.length);
    expect(share[0]! + share[1]!).toBeGreaterThan(0.7);
    expect(share[3]!).toBeGreaterThan(0.02);
    expect(share[3]!).toBeLessThan(0.12);
    const byLabel = [0, 1, 2, 3].map((l) => data.train.filter((r) => r.label === l));
    for (const key of ["bm25", "semantic", "clicks"] as const) {
      const means = byLabel.map((rows) => mean(rows, key));
      expect(means).toEqual([...means].sort((a, b) => a - b));
      expect(means[3]! - means[0]!).toBeGreaterThan(key === "semantic" ? 0.3 : 3);
    }
    // Noisy: some irrelevant documents outscore some relevant ones on BM25.
    expect(Math.max(...byLabel[0]!.map((r) => r.bm25))).toBeGreaterThan(Math.min(...byLabel[2]!.map((r) => r.bm25)));
    expect(data.train.every((r) => r.semantic >= 0 && r.semantic <= 1 && r.freshness >= 0 && r.freshness <= 1 && r.bm25 >= 0)).toBe(true);
  });

  it("builds texts from each topic's vocabulary, and a generic one for unknown topics", () => {
    const pets = data.train.filter((r) => r.topic === "pet_supplies");
    expect(pets.every((r) => r.query.includes("pet supplies"))).toBe(true);
    const travel = new Set(data.train.filter((r) => r.topic === "travel").map((r) => r.query));
    expect(travel.size).toBe(20);
    expect([...travel].some((q) => TOPIC_VOCABULARIES.travel!.slots.city!.some((c) => q.includes(c)))).toBe(true);
    expect([...travel].every((q) => !/[{}]/.test(q))).toBe(true);
  });

  it("declares every slot its templates use", () => {
    for (const vocabulary of [...Object.values(TOPIC_VOCABULARIES), genericVocabulary("x")]) {
      for (const template of vocabulary.templates) {
        for (const [, slot] of template.matchAll(/\{(\w+)\}/g)) expect(vocabulary.slots[slot!] ?? SHARED_SLOTS[slot!]).toBeDefined();
      }
    }
  });

  it("keeps queries distinct even past the vocabulary's capacity", () => {
    const big = generateBaseDataset({ topics: ["x"], queriesPerTopic: 400, seed: 1 });
    const texts = new Set([...big.train, ...big.eval].map((r) => r.query));
    expect(texts.size).toBe(400 + evalQueriesFor(400));
  });
});

describe("generateAugmentedRows", () => {
  it("adds augmented rows with fresh ids, held-out queries and texts unlike the base", async () => {
    const base = generateBaseDataset({ topics: ["books"], queriesPerTopic: 10, seed: 1 });
    const avoid = new Set([...base.train, ...base.eval].map((r) => r.query));
    const aug = await generateAugmentedRows({ topics: ["books", "music"], queriesPerTopic: 10, seed: 1, avoid });
    expect(aug.paraphrase).toEqual({ status: "not_requested" });
    expect([...aug.train, ...aug.eval].every((r) => r.source === "augmented")).toBe(true);
    const baseIds = new Set([...base.train, ...base.eval].map((r) => r.query_id));
    expect([...aug.train, ...aug.eval].some((r) => baseIds.has(r.query_id) || avoid.has(r.query))).toBe(false);
    expect(aug.train.length).toBe(2 * 10 * CANDIDATES_PER_QUERY);
    expect(aug.eval.length).toBe(2 * 2 * CANDIDATES_PER_QUERY);
    expect(new Set(aug.eval.map((r) => r.topic))).toEqual(new Set(["books", "music"]));
  });

  it("applies a paraphraser to the query texts", async () => {
    let seen: string[] = [];
    const aug = await generateAugmentedRows({
      topics: ["music"],
      queriesPerTopic: 3,
      seed: 1,
      paraphrase: async (texts) => {
        seen = texts;
        return texts.map((t) => `please find ${t}\n`);
      },
    });
    expect(aug.paraphrase).toEqual({ status: "applied" });
    expect(seen).toHaveLength(3 + 2);
    expect(new Set(aug.train.map((r) => r.query))).toEqual(new Set(seen.slice(0, 3).map((t) => `please find ${t}`)));
  });

  it("keeps the template texts when the paraphraser throws or answers badly", async () => {
    const plain = await generateAugmentedRows({ topics: ["music"], queriesPerTopic: 3, seed: 1 });
    const failed = await generateAugmentedRows({
      topics: ["music"],
      queriesPerTopic: 3,
      seed: 1,
      paraphrase: async () => {
        throw new Error("LLM endpoint unreachable");
      },
    });
    expect(failed.paraphrase).toEqual({ status: "failed", error: "LLM endpoint unreachable" });
    expect(failed.train).toEqual(plain.train);
    const short = await generateAugmentedRows({ topics: ["music"], queriesPerTopic: 3, seed: 1, paraphrase: async (t) => t.slice(1) });
    expect(short.paraphrase).toEqual({ status: "failed", error: "paraphrase returned 4 texts for 5" });
    expect(short.eval).toEqual(plain.eval);
  });
});

describe("seedDataset", () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), "dvc-seed-"));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("writes train.csv and eval.csv, tracks them, and does nothing the second time", async () => {
    const ws = await DvcWorkspace.open(tmp);
    const first = await seedDataset(ws, "search-relevance", { topics: ["books", "music"], queriesPerTopic: 5 });
    expect(first.created).toBe(true);
    expect(first.out).toMatchObject({ nfiles: 2, hash: "md5", path: "search-relevance" });
    const train = await readFile(join(ws.datasetDir("search-relevance"), "train.csv"), "utf8");
    expect(train.split("\n")[0]).toBe(DATASET_COLUMNS.join(","));
    expect(parseDatasetCsv(train, "train.csv")).toHaveLength(2 * 5 * CANDIDATES_PER_QUERY);
    const again = await seedDataset(ws, "search-relevance", { topics: ["books", "music"], queriesPerTopic: 5 });
    expect(again).toEqual({ out: first.out, created: false });

    // Another workspace with the same options produces the same version, byte for byte.
    const other = await DvcWorkspace.open(join(tmp, "other"));
    expect((await seedDataset(other, "search-relevance", { topics: ["books", "music"], queriesPerTopic: 5 })).out.md5).toBe(first.out.md5);

    // A damaged dataset is regenerated.
    await writeFile(join(ws.datasetDir("search-relevance"), "eval.csv"), "broken");
    const repaired = await seedDataset(ws, "search-relevance", { topics: ["books", "music"], queriesPerTopic: 5 });
    expect(repaired).toEqual({ out: first.out, created: true });
    await expect(seedDataset(ws, "../x", { topics: ["books"] })).rejects.toThrow(/must match/);
  });
});
