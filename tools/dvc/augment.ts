import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { DatasetFinding } from "../../core/index.js";
import { countByTopic, formatDatasetCsv, parseDatasetCsv, queryTexts, rowToRecord, type TopicCounts } from "./dataset-rows.js";
import { generateAugmentedRows, type Paraphraser, type ParaphraseReport } from "./dataset.js";
import { DvcError } from "./dvc-error.js";
import type { LockStage } from "./dvc-files.js";
import type { DvcWorkspace } from "./workspace.js";

/** What to augment. */
export interface AugmentRequest {
  /** The base dataset (directory under `datasets/`). */
  dataset: string;
  topics: readonly string[];
  queriesPerTopic: number;
  seed: number;
}

/** The manifest artifact of an augmented dataset version. */
export interface DatasetManifest {
  dataset: string;
  md5: string;
  base: { dataset: string; md5: string };
  files: Record<string, { md5: string; size: number; rows: number }>;
  rows: Record<string, TopicCounts>;
  stage: { name: string } & LockStage;
  /** Whether the stage was already up to date, so nothing was regenerated. */
  up_to_date: boolean;
  paraphrase: ParaphraseReport;
}

/** The result of an augmentation. */
export interface AugmentResult {
  finding: DatasetFinding;
  manifest: DatasetManifest;
  /** Rows added per requested topic (training and held-out). */
  rowsAdded: Record<string, number>;
  /** True when `dvc.lock` showed the same command on the same base, so nothing was regenerated. */
  upToDate: boolean;
}

const FILES = ["train.csv", "eval.csv"] as const;

/**
 * Writes `datasets/<dataset>-augmented/` (base rows plus generated rows for the topics) atomically,
 * tracks it with DVC and records the `augment-<dataset>` stage in `dvc.lock`. Like `dvc repro`, a
 * stage whose command and base are unchanged and whose output is intact is not run again.
 */
export async function augmentDataset(workspace: DvcWorkspace, request: AugmentRequest, paraphrase?: Paraphraser): Promise<AugmentResult> {
  const topics = [...new Set(request.topics)].sort();
  const baseRel = `datasets/${request.dataset}`;
  const name = `${request.dataset}-augmented`;
  const outRel = `datasets/${name}`;
  const stageName = `augment-${request.dataset}`;
  const cmd = `autopilot augment --dataset ${request.dataset} --topics ${topics.join(",")} --queries-per-topic ${request.queriesPerTopic} --seed ${request.seed}`;

  const base = await readSplit(workspace, baseRel, request.dataset);
  const baseOut = await workspace.hashOutput(baseRel);
  if (!base || !baseOut) throw new DvcError("dataset_not_found", `dataset ${request.dataset} does not exist (no ${baseRel}/train.csv and eval.csv)`);

  const previous = await workspace.readLockStage(stageName);
  const recorded = await workspace.readDvcFile(outRel);
  const upToDate =
    previous?.cmd === cmd &&
    previous.deps[0]?.md5 === baseOut.md5 &&
    previous.outs[0]?.md5 === recorded?.md5 &&
    (await workspace.status(outRel)) === "unchanged";
  let report: ParaphraseReport = { status: "skipped" };
  if (!upToDate) {
    const generated = await generateAugmentedRows({ topics, queriesPerTopic: request.queriesPerTopic, seed: request.seed, paraphrase, avoid: queryTexts([...base.train, ...base.eval]) });
    report = generated.paraphrase;
    await workspace.writeDirectory(outRel, {
      "train.csv": formatDatasetCsv([...base.train, ...generated.train.map(rowToRecord)]),
      "eval.csv": formatDatasetCsv([...base.eval, ...generated.eval.map(rowToRecord)]),
    });
  }
  const out = upToDate ? { ...recorded!, nfiles: recorded!.nfiles ?? FILES.length } : await workspace.addDirectory(outRel);
  const stage = upToDate ? previous! : await workspace.writeLockStage(stageName, { cmd, deps: [baseOut], outs: [{ ...out, path: outRel }] });

  const result = (await readSplit(workspace, outRel, name))!;
  const files: DatasetManifest["files"] = {};
  for (const file of FILES) {
    const hashed = await workspace.hashFile(join(workspace.abs(outRel), file));
    files[file] = { ...hashed, rows: (file === "train.csv" ? result.train : result.eval).length };
  }
  const rows = { train: countByTopic(result.train), eval: countByTopic(result.eval) };
  const baseRows = { train: countByTopic(base.train), eval: countByTopic(base.eval) };
  const rowsAdded = Object.fromEntries(
    topics.map((t) => [t, (["train", "eval"] as const).reduce((n, part) => n + (rows[part][t]?.augmented ?? 0) - (baseRows[part][t]?.augmented ?? 0), 0)]),
  );
  const baseTotal = base.train.length + base.eval.length;
  const total = result.train.length + result.eval.length;
  return {
    finding: {
      name,
      path: outRel,
      abs_path: workspace.abs(outRel),
      md5: out.md5,
      size: out.size,
      nfiles: out.nfiles,
      dvc_file: `${outRel}.dvc`,
      base_md5: baseOut.md5,
      rows: total,
      examples_added: total - baseTotal,
      topics,
    },
    manifest: { dataset: name, md5: out.md5, base: { dataset: request.dataset, md5: baseOut.md5 }, files, rows, stage: { name: stageName, ...stage }, up_to_date: upToDate, paraphrase: report },
    rowsAdded,
    upToDate,
  };
}

/** The records of a dataset's two files, or null when either file is missing. */
export async function readSplit(workspace: DvcWorkspace, rel: string, label: string): Promise<{ train: string[][]; eval: string[][] } | null> {
  const texts = await Promise.all(FILES.map((f) => readFile(join(workspace.abs(rel), f), "utf8").catch(() => null)));
  if (texts[0] == null || texts[1] == null) return null;
  return { train: parseDatasetCsv(texts[0], `${label}/train.csv`), eval: parseDatasetCsv(texts[1], `${label}/eval.csv`) };
}
