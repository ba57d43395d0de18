import { z } from "zod";
import YAML from "yaml";
import { DvcError } from "./dvc-error.js";

/** One output of a `.dvc` file (DVC 3 hashing). */
export const DvcOutSchema = z.object({
  md5: z.string().regex(/^[0-9a-f]{32}(\.dir)?$/, "md5 must be 32 hex digits, optionally with .dir"),
  size: z.number().int().nonnegative(),
  nfiles: z.number().int().nonnegative().optional(),
  hash: z.literal("md5"),
  path: z.string().min(1),
});
/** One output: a file (`md5`) or a directory (`md5` ending in `.dir`, with `nfiles`). */
export type DvcOut = z.infer<typeof DvcOutSchema>;
/** A directory output, which always counts its files. */
export type DvcDirectoryOut = DvcOut & { nfiles: number };

const DvcFileSchema = z.object({ outs: z.array(DvcOutSchema).min(1) });

/** One dependency or output of a `dvc.lock` stage, in DVC's key order. */
export interface LockEntry {
  path: string;
  hash: "md5";
  md5: string;
  size: number;
  nfiles?: number;
}

/** A stage as `dvc.lock` records it. */
export interface LockStage {
  cmd: string;
  deps: LockEntry[];
  params?: Record<string, Record<string, unknown>>;
  outs: LockEntry[];
}

// DVC writes YAML with ruamel: block style, sequences not indented under their key, single quotes.
// Long scalars are not folded here (ruamel folds past 80 columns); both read back the same.
const YAML_STYLE = { indentSeq: false, singleQuote: true, lineWidth: 0 } as const;

/** The text of a `.dvc` file for one output, keys in DVC's order (md5, size, nfiles, hash, path). */
export function formatDvcFile(out: DvcOut): string {
  const ordered: Record<string, unknown> = { md5: out.md5, size: out.size };
  if (out.nfiles !== undefined) ordered.nfiles = out.nfiles;
  ordered.hash = out.hash;
  ordered.path = out.path;
  return YAML.stringify({ outs: [ordered] }, YAML_STYLE);
}

/** Parses a `.dvc` file and returns its single output; `where` names the file in errors. */
export function parseDvcFile(text: string, where: string): DvcOut {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (error) {
    throw new DvcError("dvc_file_invalid", `${where} is not valid YAML`, { cause: error });
  }
  const parsed = DvcFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const legacy = issue?.path.at(-1) === "hash" ? " (DVC 2 files without `hash: md5` are not supported)" : "";
    throw new DvcError("dvc_file_invalid", `${where}: ${issue?.path.join(".") || "file"}: ${issue?.message}${legacy}`);
  }
  if (parsed.data.outs.length !== 1) throw new DvcError("dvc_file_invalid", `${where} has ${parsed.data.outs.length} outputs; expected one`);
  return parsed.data.outs[0]!;
}

/** A lock entry for an output whose path is relative to the workspace root. */
export function toLockEntry(out: DvcOut): LockEntry {
  const entry: LockEntry = { path: out.path, hash: "md5", md5: out.md5, size: out.size };
  if (out.nfiles !== undefined) entry.nfiles = out.nfiles;
  return entry;
}

/**
 * The text of `dvc.lock` after setting one stage: `schema: '2.0'` first, other stages and their
 * formatting kept, a new stage appended (as DVC's `Lockfile.dump` does).
 */
export function updateLockfile(existing: string | null, name: string, stage: LockStage): string {
  const doc = existing?.trim() ? YAML.parseDocument(existing) : new YAML.Document({ schema: "2.0" });
  if (doc.errors.length > 0) throw new DvcError("dvc_lock_invalid", `dvc.lock is not valid YAML: ${doc.errors[0]?.message}`);
  const schema = doc.get("schema");
  if (schema !== "2.0") throw new DvcError("dvc_lock_invalid", `dvc.lock has schema ${JSON.stringify(schema)}; only '2.0' is supported`);
  const ordered: Record<string, unknown> = { cmd: stage.cmd };
  const byPath = (a: LockEntry, b: LockEntry) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  if (stage.deps.length > 0) ordered.deps = [...stage.deps].sort(byPath);
  if (stage.params && Object.keys(stage.params).length > 0) ordered.params = stage.params;
  if (stage.outs.length > 0) ordered.outs = [...stage.outs].sort(byPath);
  doc.setIn(["stages", name], doc.createNode(ordered));
  return doc.toString(YAML_STYLE);
}

const LockEntrySchema = z.object({
  path: z.string(),
  hash: z.literal("md5"),
  md5: z.string(),
  size: z.number(),
  nfiles: z.number().optional(),
});
const LockStageSchema = z.object({
  cmd: z.string(),
  deps: z.array(LockEntrySchema).default([]),
  params: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  outs: z.array(LockEntrySchema).default([]),
});

/** Reads one stage of `dvc.lock`, or null when the file or the stage is absent. */
export function readLockfileStage(text: string | null, name: string): LockStage | null {
  if (!text?.trim()) return null;
  let data: unknown;
  try {
    data = YAML.parse(text);
  } catch (error) {
    throw new DvcError("dvc_lock_invalid", "dvc.lock is not valid YAML", { cause: error });
  }
  const raw = (data as { stages?: Record<string, unknown> } | null)?.stages?.[name];
  if (raw === undefined) return null;
  const parsed = LockStageSchema.safeParse(raw);
  if (!parsed.success) throw new DvcError("dvc_lock_invalid", `dvc.lock stage ${name}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
