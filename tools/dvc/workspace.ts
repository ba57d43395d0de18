import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { chmod, copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, posix, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { dirHash, dirManifest, type ManifestEntry } from "./dir-manifest.js";
import { DvcError } from "./dvc-error.js";
import {
  formatDvcFile,
  parseDvcFile,
  readLockfileStage,
  toLockEntry,
  updateLockfile,
  type DvcDirectoryOut,
  type DvcOut,
  type LockStage,
} from "./dvc-files.js";
import { replaceDirectory } from "./atomic-dir.js";
import { copyMissingObjects, localRemotePath, readDefaultRemote, runDvcPush, setLocalDefaultRemote, type DvcRemote } from "./remote.js";

/** Whether a tracked output matches its `.dvc` file. */
export type DvcStatus = "unchanged" | "modified" | "missing" | "untracked";

/** What `push()` did. */
export interface DvcPushResult {
  via: "dvc" | "copy";
  /** Default remote name (copy) or "default" when `dvc push` chose it. */
  remote: string;
  /** Objects copied; null when `dvc push` did the work. */
  pushed: number | null;
}

/** Options of a workspace. */
export interface DvcWorkspaceOptions {
  /** The `dvc` executable `push()` runs (default "dvc", looked up on PATH); null never runs one. */
  dvcExecutable?: string | null;
  /** Upper bound of `dvc push` in ms (default 10 minutes). */
  pushTimeoutMs?: number;
  /** Made the default remote (in `.dvc/config.local`) when the workspace opens; the name defaults to "autopilot". */
  remote?: { name?: string; url: string };
}

/** What `writeLockStage` records. */
export interface LockStageInput {
  cmd: string;
  deps: DvcOut[];
  params?: Record<string, Record<string, unknown>>;
  outs: DvcOut[];
}

const CONFIG = "[core]\n    no_scm = True\n";
const GITIGNORE = "/config.local\n/tmp\n/cache\n";

/**
 * A DVC 3 workspace written natively (no Python): content-addressed cache under
 * `.dvc/cache/files/md5`, `.dvc` files and `dvc.lock` in DVC's format. Paths are POSIX, relative
 * to the root.
 */
export class DvcWorkspace {
  private constructor(
    /** Absolute root of the workspace. */
    readonly root: string,
    private readonly options: DvcWorkspaceOptions,
  ) {}

  /** Opens the workspace at `root`, creating it and `.dvc/` like `dvc init --no-scm` when missing. */
  static async open(root: string, options: DvcWorkspaceOptions = {}): Promise<DvcWorkspace> {
    const workspace = new DvcWorkspace(resolve(root), options);
    await mkdir(workspace.dvcDir, { recursive: true });
    await writeFile(join(workspace.dvcDir, "config"), CONFIG, { flag: "wx" }).catch(ignoreExists);
    await writeFile(join(workspace.dvcDir, ".gitignore"), GITIGNORE, { flag: "wx" }).catch(ignoreExists);
    if (options.remote) await setLocalDefaultRemote(workspace.dvcDir, { name: options.remote.name ?? "autopilot", url: options.remote.url });
    return workspace;
  }

  private get dvcDir(): string {
    return join(this.root, ".dvc");
  }

  private get cacheDir(): string {
    return join(this.dvcDir, "cache");
  }

  /** Absolute directory of dataset `name` (`<root>/datasets/<name>`). */
  datasetDir(name: string): string {
    return this.abs(`datasets/${name}`);
  }

  /** Absolute path of a workspace-relative path; refuses paths that leave the workspace. */
  abs(relPath: string): string {
    return join(this.root, ...insideRelPath(relPath).split("/"));
  }

  /** md5 and size of a file's raw bytes (DVC 3 file hash). */
  async hashFile(absPath: string): Promise<{ md5: string; size: number }> {
    const hash = createHash("md5");
    let size = 0;
    await pipeline(createReadStream(absPath), async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        size += chunk.length;
        hash.update(chunk);
      }
    });
    return { md5: hash.digest("hex"), size };
  }

  /** Hashes a directory, stores its files and `.dir` manifest in the cache and writes `<relPath>.dvc`. */
  async addDirectory(relPath: string): Promise<DvcDirectoryOut> {
    const dir = this.abs(relPath);
    const info = await stat(dir).catch(() => null);
    if (!info?.isDirectory()) throw new DvcError("dvc_path_missing", `${relPath} is not a directory in the DVC workspace`);
    const entries: ManifestEntry[] = [];
    let size = 0;
    for (const file of await listFiles(dir)) {
      const stored = await this.storeFile(join(dir, ...file.split("/")));
      entries.push({ md5: stored.md5, relpath: file });
      size += stored.size;
    }
    const manifest = dirManifest(entries);
    const md5 = dirHash(manifest);
    await this.storeBytes(md5, Buffer.from(manifest, "utf8"));
    const out: DvcDirectoryOut = { md5, size, nfiles: entries.length, hash: "md5", path: basename(dir) };
    await atomicWrite(`${dir}.dvc`, formatDvcFile(out), this.dvcDir);
    return out;
  }

  /** Stores one file in the cache and writes `<relPath>.dvc`. */
  async addFile(relPath: string): Promise<DvcOut> {
    const file = this.abs(relPath);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) throw new DvcError("dvc_path_missing", `${relPath} is not a file in the DVC workspace`);
    const stored = await this.storeFile(file);
    const out: DvcOut = { md5: stored.md5, size: stored.size, hash: "md5", path: basename(file) };
    await atomicWrite(`${file}.dvc`, formatDvcFile(out), this.dvcDir);
    return out;
  }

  /** The output recorded in `<relPath>.dvc` (or in `relPath` itself when it ends in `.dvc`), or null. */
  async readDvcFile(relPath: string): Promise<DvcOut | null> {
    const file = relPath.endsWith(".dvc") ? this.abs(relPath) : `${this.abs(relPath)}.dvc`;
    const text = await readFile(file, "utf8").catch(() => null);
    return text === null ? null : parseDvcFile(text, relative(this.root, file));
  }

  /** The current hash of a file or directory (path relative to the root), without caching; null when absent. */
  async hashOutput(relPath: string): Promise<DvcOut | null> {
    const target = this.abs(relPath);
    const info = await stat(target).catch(() => null);
    if (!info) return null;
    const path = insideRelPath(relPath);
    if (!info.isDirectory()) return { ...(await this.hashFile(target)), hash: "md5", path };
    const entries: ManifestEntry[] = [];
    let size = 0;
    for (const file of await listFiles(target)) {
      const hashed = await this.hashFile(join(target, ...file.split("/")));
      entries.push({ md5: hashed.md5, relpath: file });
      size += hashed.size;
    }
    return { md5: dirHash(dirManifest(entries)), size, nfiles: entries.length, hash: "md5", path };
  }

  /** Compares a path with its `.dvc` file. */
  async status(relPath: string): Promise<DvcStatus> {
    const recorded = await this.readDvcFile(relPath);
    if (!recorded) return "untracked";
    const current = await this.hashOutput(relPath);
    if (!current) return "missing";
    return current.md5 === recorded.md5 ? "unchanged" : "modified";
  }

  /** Restores a file or directory from the cache as its `.dvc` file records it. */
  async checkout(relPath: string): Promise<DvcOut> {
    const out = await this.readDvcFile(relPath);
    if (!out) throw new DvcError("dvc_not_tracked", `${relPath} has no .dvc file`);
    const target = this.abs(relPath);
    if (!out.md5.endsWith(".dir")) {
      await this.restoreObject(out.md5, target);
      return out;
    }
    const entries = await this.readManifest(out.md5);
    await replaceDirectory(target, join(this.dvcDir, "tmp"), async (scratch) => {
      for (const entry of entries) await this.restoreObject(entry.md5, join(scratch, ...entry.relpath.split("/")));
    });
    return out;
  }

  /** Records stage `name` in `dvc.lock` (schema 2.0), keeping the other stages; returns the stage as written. */
  async writeLockStage(name: string, input: LockStageInput): Promise<LockStage> {
    const stage: LockStage = { cmd: input.cmd, deps: input.deps.map(toLockEntry), outs: input.outs.map(toLockEntry) };
    if (input.params) stage.params = input.params;
    const file = join(this.root, "dvc.lock");
    const existing = await readFile(file, "utf8").catch(() => null);
    const text = updateLockfile(existing, name, stage);
    if (text !== existing) await atomicWrite(file, text, this.dvcDir);
    return (await this.readLockStage(name))!;
  }

  /** Stage `name` of `dvc.lock`, or null. */
  async readLockStage(name: string): Promise<LockStage | null> {
    return readLockfileStage(await readFile(join(this.root, "dvc.lock"), "utf8").catch(() => null), name);
  }

  /** Replaces a directory of the workspace atomically with the given files (name to text). */
  async writeDirectory(relPath: string, files: Record<string, string>): Promise<void> {
    await replaceDirectory(this.abs(relPath), join(this.dvcDir, "tmp"), async (scratch) => {
      for (const [name, text] of Object.entries(files)) await writeFile(join(scratch, name), text);
    });
  }

  /** The default remote of the workspace's DVC config, or null when none is set. */
  defaultRemote(): Promise<DvcRemote | null> {
    return readDefaultRemote(this.dvcDir);
  }

  /**
   * Uploads the cache: with `dvc push` when a `dvc` executable is available, otherwise by copying
   * missing objects to a default remote whose url is a local path.
   */
  async push(): Promise<DvcPushResult> {
    const executable = this.options.dvcExecutable === undefined ? "dvc" : this.options.dvcExecutable;
    if (executable && (await runDvcPush(executable, this.root, this.options.pushTimeoutMs ?? 600_000))) {
      return { via: "dvc", remote: "default", pushed: null };
    }
    const remote = await readDefaultRemote(this.dvcDir);
    if (!remote) {
      throw new DvcError("dvc_remote_missing", "cannot push: no dvc executable on PATH and no default remote in .dvc/config (dvc remote add -d <name> <url>)");
    }
    const dir = localRemotePath(remote.url, this.dvcDir);
    if (!dir) {
      throw new DvcError("dvc_remote_unsupported", `cannot push to remote "${remote.name}" (${remote.url}) without the dvc executable; only local-path remotes are copied natively`);
    }
    return { via: "copy", remote: remote.name, pushed: await copyMissingObjects(this.cacheDir, dir) };
  }

  private objectPath(md5: string): string {
    return join(this.cacheDir, "files", "md5", md5.slice(0, 2), md5.slice(2));
  }

  // Copies into the cache first and hashes the copy, so an object's bytes always match its name
  // even when the source changes meanwhile.
  private async storeFile(source: string): Promise<{ md5: string; size: number }> {
    const scratch = join(this.dvcDir, "tmp", scratchName("object"));
    await mkdir(dirname(scratch), { recursive: true });
    try {
      await copyFile(source, scratch);
      const hashed = await this.hashFile(scratch);
      await this.commitObject(hashed.md5, scratch);
      return hashed;
    } finally {
      await rm(scratch, { force: true });
    }
  }

  private async storeBytes(md5: string, bytes: Buffer): Promise<void> {
    const scratch = join(this.dvcDir, "tmp", scratchName("object"));
    await mkdir(dirname(scratch), { recursive: true });
    await writeFile(scratch, bytes);
    await this.commitObject(md5, scratch).finally(() => rm(scratch, { force: true }));
  }

  private async commitObject(md5: string, scratch: string): Promise<void> {
    const target = this.objectPath(md5);
    if (await exists(target)) return;
    await mkdir(dirname(target), { recursive: true });
    await chmod(scratch, 0o444); // DVC keeps cache objects read-only
    await rename(scratch, target);
  }

  private async readManifest(md5: string): Promise<ManifestEntry[]> {
    const text = await readFile(this.objectPath(md5), "utf8").catch(() => null);
    if (text === null) throw new DvcError("dvc_cache_missing", `directory object ${md5} is not in the cache`);
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch (error) {
      throw new DvcError("dvc_cache_corrupt", `directory object ${md5} is not JSON`, { cause: error });
    }
    const entries = Array.isArray(list) ? (list as ManifestEntry[]) : [];
    for (const entry of entries) {
      const rel = typeof entry?.relpath === "string" ? posix.normalize(entry.relpath) : "..";
      if (typeof entry.md5 !== "string" || rel === ".." || rel.startsWith("../") || posix.isAbsolute(rel)) {
        throw new DvcError("dvc_cache_corrupt", `directory object ${md5} lists an invalid entry ${JSON.stringify(entry)}`);
      }
    }
    if (!Array.isArray(list)) throw new DvcError("dvc_cache_corrupt", `directory object ${md5} is not a list`);
    return entries;
  }

  private async restoreObject(md5: string, target: string): Promise<void> {
    const source = this.objectPath(md5);
    if (!(await exists(source))) throw new DvcError("dvc_cache_missing", `object ${md5} is not in the cache`);
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { force: true });
    await copyFile(source, target);
    await chmod(target, 0o644);
  }
}

/** Regular files under `dir`, as POSIX paths relative to it, recursively. */
async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (current: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(join(current, entry.name), rel);
      else if (entry.isFile()) files.push(rel);
    }
  };
  await walk(dir, "");
  return files;
}

async function atomicWrite(file: string, text: string, dvcDir: string): Promise<void> {
  const scratch = join(dvcDir, "tmp", scratchName(basename(file)));
  await mkdir(dirname(scratch), { recursive: true });
  await writeFile(scratch, text);
  await rename(scratch, file);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

function ignoreExists(error: NodeJS.ErrnoException): void {
  if (error.code !== "EEXIST") throw error;
}

/** `relPath` as a normalized POSIX path, refusing anything that would leave the workspace. */
function insideRelPath(relPath: string): string {
  const norm = posix.normalize(relPath.split(sep).join("/")).replace(/\/+$/, "");
  if (!norm || norm === "." || norm === ".." || norm.startsWith("../") || posix.isAbsolute(norm)) {
    throw new DvcError("dvc_path_invalid", `path "${relPath}" must be relative and inside the DVC workspace`);
  }
  return norm;
}

function scratchName(prefix: string): string {
  return `${prefix}.${process.pid}-${randomUUID()}`;
}
