import { z } from "zod";
import { errorMessage, type DatasetFinding } from "../../core/index.js";
import { defineTool, type AnyTool, type ToolOutcome } from "../tool.js";
import { errorOutcome } from "../outcome.js";
import { augmentDataset, readSplit } from "./augment.js";
import { countByTopic, type TopicCounts } from "./dataset-rows.js";
import { DATASET_NAME_PATTERN } from "./dataset.js";
import type { DvcStatus, DvcWorkspace } from "./workspace.js";
import { dvcTagDataset } from "./tag-dataset.js";
import { snapshotSeriesTool } from "./snapshot-series.js";

/** What `dvc_get_dataset` returns. */
export interface DatasetInfo {
  name: string;
  path: string;
  abs_path: string;
  md5: string;
  size: number;
  nfiles: number;
  /** How the directory compares with its .dvc file. */
  status: DvcStatus;
  rows: { train: number; eval: number };
  topics: TopicCounts;
}

const datasetName = (what: string) =>
  z.string().regex(DATASET_NAME_PATTERN, "lower-case letters, digits, '.', '_' or '-'").describe(what);

const getDataset = defineTool({
  name: "dvc_get_dataset",
  system: "dvc",
  title: "Get a DVC dataset version",
  description:
    "Describes the current version of a dataset in the DVC workspace: its md5 (the version id), size, files, " +
    "row counts of train.csv and eval.csv, and rows per topic split into base and augmented rows.",
  input: z.object({ name: datasetName("Dataset name: the directory under datasets/ in the DVC workspace, e.g. search-relevance.") }),
  flags: { readOnly: true, destructive: false, idempotent: true, openWorld: false },
  async run({ name }, ctx): Promise<ToolOutcome<DatasetInfo>> {
    try {
      const ws = ctx.clients.dvc;
      const rel = `datasets/${name}`;
      const [current, status] = await Promise.all([ws.hashOutput(rel), ws.status(rel)]);
      if (!current) {
        const hint = status === "missing" ? " (it is tracked by its .dvc file but missing from the workspace; check it out first)" : "";
        return { status: "no_data", summary: `Dataset ${name} does not exist in the DVC workspace${hint}.` };
      }
      const split = await readSplit(ws, rel, name);
      const topics = countByTopic([...(split?.train ?? []), ...(split?.eval ?? [])]);
      const data: DatasetInfo = {
        name,
        path: rel,
        abs_path: ws.abs(rel),
        md5: current.md5,
        size: current.size,
        nfiles: current.nfiles ?? 1,
        status,
        rows: { train: split?.train.length ?? 0, eval: split?.eval.length ?? 0 },
        topics,
      };
      const changed = status === "modified" ? " It differs from its .dvc file (uncommitted changes)." : status === "untracked" ? " It is not tracked by DVC." : "";
      return {
        status: "success",
        summary: `Dataset ${name} md5 ${current.md5}: ${data.rows.train} train and ${data.rows.eval} eval rows over ${Object.keys(topics).length} topics.${changed}`,
        data,
      };
    } catch (error) {
      return errorOutcome(error);
    }
  },
});

const augment = defineTool({
  name: "dvc_augment_dataset",
  system: "dvc",
  title: "Augment a dataset for weak topics",
  description:
    "Generates new training and held-out examples for the given topics, writes them with the base rows as " +
    "datasets/<dataset>-augmented (a new DVC-tracked version) and records the augment-<dataset> stage in dvc.lock. " +
    "The same input always gives the same dataset md5.",
  input: z.object({
    dataset: datasetName("Base dataset name (directory under datasets/), e.g. search-relevance."),
    topics: z
      .array(z.string().regex(/^[a-z0-9_-]+$/, "lower-case letters, digits, '_' or '-'"))
      .min(1)
      .max(20)
      .describe("Topics to generate examples for, usually the weak segments of the diagnosis."),
    queries_per_topic: z.number().int().min(1).max(500).default(10).describe("New training queries per topic (30 candidate documents each); held-out queries are added on top (about 20%, at least 2)."),
    seed: z.number().int().default(1).describe("Seed of the generator; the same seed and input give the same rows."),
  }),
  flags: { readOnly: false, destructive: false, idempotent: true, openWorld: true },
  finding: "dataset",
  timeoutMs: 180_000,
  async run(input, ctx): Promise<ToolOutcome<DatasetFinding>> {
    try {
      const paraphrase = ctx.paraphrase ? (texts: string[]) => ctx.paraphrase!(texts, ctx.signal) : undefined;
      ctx.signal.throwIfAborted();
      const result = await augmentDataset(
        ctx.clients.dvc,
        { dataset: input.dataset, topics: input.topics, queriesPerTopic: input.queries_per_topic, seed: input.seed },
        paraphrase,
      );
      const { finding, manifest } = result;
      const added = Object.entries(result.rowsAdded).map(([t, n]) => `${t} +${n}`).join(", ");
      const notes = [
        result.upToDate ? "The augment stage was already up to date; nothing was regenerated." : "",
        manifest.paraphrase.status === "failed" ? `Paraphrasing failed (${manifest.paraphrase.error}); template query texts were kept.` : "",
        await pushToRemote(ctx.clients.dvc),
      ].filter(Boolean);
      return {
        status: "success",
        summary: `Wrote ${finding.name} md5 ${finding.md5} (${finding.rows} rows, ${finding.examples_added} added: ${added}).${notes.length ? ` ${notes.join(" ")}` : ""}`,
        data: finding,
        artifacts: [
          { kind: "dataset_manifest", name: `${finding.name}.json`, mediaType: "application/json", content: `${JSON.stringify(manifest, null, 2)}\n` },
        ],
      };
    } catch (error) {
      return errorOutcome(error);
    }
  },
});

/**
 * Pushes the cache when the workspace has a default remote, so the version can be checked out
 * elsewhere; a failed push is reported, not fatal (the version is complete in the local cache).
 */
async function pushToRemote(dvc: DvcWorkspace): Promise<string> {
  const remote = await dvc.defaultRemote();
  if (!remote) return "";
  try {
    const pushed = await dvc.push();
    return pushed.via === "dvc" ? `Pushed with dvc push to the default remote ${remote.name}.` : `Pushed ${pushed.pushed} new objects to remote ${remote.name}.`;
  } catch (error) {
    return `Pushing to remote ${remote.name} failed (${errorMessage(error)}); the version is only in the local cache.`;
  }
}

/** The DVC tools: read a dataset version, write an augmented one, tag a version, snapshot a series for its detector. */
export const dvcTools: AnyTool[] = [getDataset, augment, dvcTagDataset, snapshotSeriesTool];
