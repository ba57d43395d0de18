import { errorMessage } from "../../core/index.js";
import { formatDatasetCsv, rowToRecord, type DatasetRow, type RowSource } from "./dataset-rows.js";
import { DvcError } from "./dvc-error.js";
import type { DvcDirectoryOut } from "./dvc-files.js";
import { gaussian, mulberry32, pick, poisson, seedFrom, weightedIndex, type Rng } from "./prng.js";
import { QUALIFIERS, SHARED_SLOTS, vocabularyFor, type TopicVocabulary } from "./vocabulary.js";
import type { DvcWorkspace } from "./workspace.js";

/** Candidate documents per query. */
export const CANDIDATES_PER_QUERY = 30;
/** Dataset names the workspace accepts. */
export const DATASET_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

// Graded relevance is skewed as in real click logs: most candidates are irrelevant or marginal.
const LABEL_WEIGHTS = [0.46, 0.31, 0.16, 0.07];

/** Rows of a dataset, split into training and held-out evaluation rows. */
export interface DatasetSplit {
  train: DatasetRow[];
  eval: DatasetRow[];
}

/** What to generate. */
export interface GenerateOptions {
  topics: readonly string[];
  queriesPerTopic: number;
  seed: number;
}

/** Rewrites query texts (e.g. with an LLM); must return one text per input text. */
export type Paraphraser = (texts: string[]) => Promise<string[]>;

/** Whether the query texts were paraphrased ("skipped": nothing was generated). */
export interface ParaphraseReport {
  status: "not_requested" | "applied" | "failed" | "skipped";
  /** Why paraphrasing failed; the template texts were kept. */
  error?: string;
}

/** Held-out queries per topic for `queriesPerTopic` training queries: about 20%, at least 2. */
export function evalQueriesFor(queriesPerTopic: number): number {
  return Math.max(2, Math.round(queriesPerTopic * 0.2));
}

/** A deterministic base dataset: for every topic, training queries and different held-out queries. */
export function generateBaseDataset(options: GenerateOptions): DatasetSplit {
  return generate(options, "base", new Set());
}

/**
 * Generated rows for `topics` with source "augmented" and fresh query ids, plus held-out queries
 * for those topics. `avoid` holds query texts already in use (the base dataset's). When
 * `paraphrase` fails, the template texts are kept and the report says why.
 */
export async function generateAugmentedRows(
  options: GenerateOptions & { paraphrase?: Paraphraser; avoid?: ReadonlySet<string> },
): Promise<DatasetSplit & { paraphrase: ParaphraseReport }> {
  const split = generate(options, "augmented", new Set(options.avoid ?? []));
  if (!options.paraphrase) return { ...split, paraphrase: { status: "not_requested" } };
  const queries = new Map<string, string>();
  for (const row of [...split.train, ...split.eval]) queries.set(row.query_id, row.query);
  try {
    const rewritten = await options.paraphrase([...queries.values()]);
    if (!Array.isArray(rewritten) || rewritten.length !== queries.size) {
      throw new Error(`paraphrase returned ${Array.isArray(rewritten) ? rewritten.length : typeof rewritten} texts for ${queries.size}`);
    }
    const cleaned = rewritten.map((t) => (typeof t === "string" ? t.replace(/\s+/g, " ").trim() : ""));
    if (cleaned.some((t) => t === "")) throw new Error("paraphrase returned an empty text");
    const byId = new Map([...queries.keys()].map((id, i) => [id, cleaned[i]!]));
    const apply = (rows: DatasetRow[]) => rows.map((row) => ({ ...row, query: byId.get(row.query_id)! }));
    return { train: apply(split.train), eval: apply(split.eval), paraphrase: { status: "applied" } };
  } catch (error) {
    return { ...split, paraphrase: { status: "failed", error: errorMessage(error) } };
  }
}

/**
 * Writes `datasets/<name>/{train,eval}.csv` and tracks the directory with DVC. Does nothing when
 * the dataset is tracked and unchanged.
 */
export async function seedDataset(
  workspace: DvcWorkspace,
  name: string,
  options: { topics: readonly string[]; queriesPerTopic?: number; seed?: number },
): Promise<{ out: DvcDirectoryOut; created: boolean }> {
  if (!DATASET_NAME_PATTERN.test(name)) throw new DvcError("dataset_name_invalid", `dataset name "${name}" must match ${DATASET_NAME_PATTERN}`);
  const rel = `datasets/${name}`;
  if ((await workspace.status(rel)) === "unchanged") {
    const out = (await workspace.readDvcFile(rel))!;
    return { out: { ...out, nfiles: out.nfiles ?? 1 }, created: false };
  }
  const split = generateBaseDataset({ topics: options.topics, queriesPerTopic: options.queriesPerTopic ?? 40, seed: options.seed ?? 1 });
  await workspace.writeDirectory(rel, {
    "train.csv": formatDatasetCsv(split.train.map(rowToRecord)),
    "eval.csv": formatDatasetCsv(split.eval.map(rowToRecord)),
  });
  return { out: await workspace.addDirectory(rel), created: true };
}

function generate(options: GenerateOptions, source: RowSource, taken: Set<string>): DatasetSplit {
  const { topics, queriesPerTopic, seed } = options;
  if (!Number.isInteger(queriesPerTopic) || queriesPerTopic < 1) throw new RangeError(`queriesPerTopic must be a positive integer, got ${queriesPerTopic}`);
  const split: DatasetSplit = { train: [], eval: [] };
  for (const topic of topics) {
    // A topic's difficulty (feature noise) is a property of the topic, the same in every dataset.
    const noise = 0.85 + 0.4 * mulberry32(seedFrom("difficulty", topic))();
    for (const [part, count] of [["train", queriesPerTopic], ["eval", evalQueriesFor(queriesPerTopic)]] as const) {
      for (let i = 0; i < count; i++) {
        const key = [seed, source, part, topic, i] as const;
        const query = uniqueQuery(mulberry32(seedFrom(...key, "text")), vocabularyFor(topic), taken);
        const queryId = `${source === "base" ? "b" : "a"}${seed}-${part}-${topic}-${String(i + 1).padStart(4, "0")}`;
        split[part].push(...candidates(mulberry32(seedFrom(...key, "docs")), { queryId, query, topic, source }, noise));
      }
    }
  }
  return split;
}

function uniqueQuery(rng: Rng, vocabulary: TopicVocabulary, taken: Set<string>): string {
  const fill = (template: string) =>
    template.replace(/\{(\w+)\}/g, (_, slot: string) => pick(rng, vocabulary.slots[slot] ?? SHARED_SLOTS[slot] ?? [slot]));
  let text = "";
  for (let attempt = 0; attempt < 60; attempt++) {
    text = fill(pick(rng, vocabulary.templates));
    if (attempt >= 30) text = `${text} ${pick(rng, QUALIFIERS.filter((q) => !text.includes(q)))}`;
    if (!taken.has(text)) break;
  }
  // A tiny topic vocabulary can run out of distinct texts; numbering keeps queries distinct.
  for (let n = 2; taken.has(text); n++) text = `${text.replace(/ \(\d+\)$/, "")} (${n})`;
  taken.add(text);
  return text;
}

function candidates(
  rng: Rng,
  query: { queryId: string; query: string; topic: string; source: RowSource },
  noise: number,
): DatasetRow[] {
  const labels = Array.from({ length: CANDIDATES_PER_QUERY }, () => weightedIndex(rng, LABEL_WEIGHTS));
  // Every query has at least one clearly relevant document, so its ideal ranking is defined.
  if (Math.max(...labels) < 2) labels[Math.floor(rng() * labels.length)] = 2;
  const docIds = new Set<string>();
  return labels.map((label) => {
    let docId: string;
    do docId = `${query.topic}-${String(Math.floor(rng() * 100_000)).padStart(5, "0")}`;
    while (docIds.has(docId));
    docIds.add(docId);
    return {
      query_id: query.queryId,
      query: query.query,
      topic: query.topic,
      doc_id: docId,
      bm25: Math.max(0, 3 + 2.6 * label + 1.8 * noise * gaussian(rng)),
      semantic: clamp01(0.2 + 0.18 * label + 0.09 * noise * gaussian(rng)),
      freshness: clamp01(0.45 + 0.04 * label + 0.22 * gaussian(rng)),
      clicks: poisson(rng, 0.2 + 0.9 * label ** 1.6),
      label,
      source: query.source,
    };
  });
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
