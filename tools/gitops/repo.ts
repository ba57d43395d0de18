import * as fs from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import git from "isomorphic-git";
import { canonicalJson, type Clock } from "../../core/index.js";
import { displayUrl, GitRemote, type GitRemoteOptions } from "./remote.js";
import { deepMerge, formatValues, GitOpsError, HelmValuesSchema, parseValues, validateValues, type DeepPartial, type HelmValues } from "./values.js";

/** Options of a GitOps repository. */
export interface GitOpsRepoOptions {
  /** Working tree of the repository (created and `git init`-ed when missing). */
  dir: string;
  /** Branch commits go to (default "main"). */
  branch?: string;
  /** Commit author (default mlops-autopilot <autopilot@localhost>). */
  author?: { name: string; email: string };
  /** Clock whose time commits carry. */
  clock: Clock;
  /**
   * The remote the repository is a clone of (what Argo CD reads). `dir` is then its working clone:
   * cloned when missing; every write starts from the remote's branch and is pushed before it returns.
   */
  remote?: GitRemoteOptions;
}

/** One commit of the repository. */
export interface GitOpsCommit {
  revision: string;
  message: string;
  /** Author time, ISO 8601. */
  at: string;
}

/** What `writeValues` did. */
export interface WriteValuesResult {
  /** The new commit, or the head when nothing changed. */
  revision: string;
  /** The head before the write. */
  previous: string | null;
  path: string;
  values: HelmValues;
  /** The patch as YAML, as given. */
  patchYaml: string;
  changed: boolean;
}

// One queue per working tree: commits within this process never interleave, whichever
// GitOpsRepo instance makes them.
const queues = new Map<string, Promise<unknown>>();

const APP_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

/** The GitOps repository Argo CD syncs: Helm values per app and environment, written as commits. */
export class GitOpsRepo {
  private constructor(
    private readonly dir: string,
    private readonly branch: string,
    private readonly author: { name: string; email: string },
    private readonly clock: Clock,
    private readonly remote: GitRemote | null,
  ) {}

  /**
   * Opens the repository at `dir`, initialising it on `branch` when there is none; with a remote,
   * clones it into `dir` when missing and refuses a clone of another remote.
   */
  static async open(options: GitOpsRepoOptions): Promise<GitOpsRepo> {
    const dir = resolve(options.dir);
    const branch = options.branch ?? "main";
    const remote = options.remote ? new GitRemote(dir, branch, options.remote) : null;
    if (!fs.existsSync(join(dir, ".git"))) {
      if (remote) {
        if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
          throw new GitOpsError("gitops_dir_not_empty", `cannot clone ${remote.display} into ${dir}: the directory exists and is not a git repository`);
        }
        await remote.clone();
      } else {
        await mkdir(dir, { recursive: true });
        await git.init({ fs, dir, defaultBranch: branch });
      }
    } else if (remote) {
      const origin = await remote.originUrl();
      if (origin === null || displayUrl(origin) !== remote.display) {
        throw new GitOpsError("gitops_remote_mismatch", `${dir} is a clone of ${origin ? displayUrl(origin) : "no remote"}, not of ${remote.display}; point the clone directory elsewhere`);
      }
    }
    const current = await git.currentBranch({ fs, dir, fullname: false });
    if (current !== branch) {
      throw new GitOpsError("gitops_wrong_branch", `GitOps repository ${dir} has ${current ? `branch ${current}` : "a detached HEAD"} checked out; expected ${branch}`);
    }
    const repo = new GitOpsRepo(dir, branch, options.author ?? { name: "mlops-autopilot", email: "autopilot@localhost" }, options.clock, remote);
    if (remote) await repo.serialize(() => repo.pull());
    return repo;
  }

  /** Path of an app's values file for an environment, relative to the repository root. */
  valuesPath(app: string, environment: string): string {
    for (const part of [app, environment]) {
      if (!APP_PATTERN.test(part)) throw new GitOpsError("gitops_path_invalid", `"${part}" is not a valid app or environment name`);
    }
    return `apps/${app}/${environment}/values.yaml`;
  }

  /** Commits the initial values of an app unless its values file exists; returns the head revision. */
  async initApp(app: string, environment: string, values: HelmValues): Promise<string> {
    const path = this.valuesPath(app, environment);
    const valid = validateValues(values, path);
    const result = await this.serialize(() =>
      this.published(async () => {
        const head = await this.head();
        if (head && (await this.readFile(head, path)) !== null) return { revision: head, changed: false };
        return { revision: await this.commitFile(path, formatValues(valid), `Initialise ${app} values for ${environment}`), changed: true };
      }),
    );
    return result.revision;
  }

  /** The values of an app at a revision (default: the head), or null when the file does not exist there. */
  async readValues(app: string, environment: string, revision?: string): Promise<HelmValues | null> {
    const path = this.valuesPath(app, environment);
    // With a remote, the head is the remote's (another replica may have written), and a revision
    // this clone has not seen yet is fetched.
    if (this.remote && (revision === undefined || !(await this.hasRevision(revision)))) await this.serialize(() => this.pull());
    const rev = revision ?? (await this.head());
    if (!rev) return null;
    const text = await this.readFile(rev, path);
    return text === null ? null : parseValues(text, `${path}@${rev.slice(0, 7)}`);
  }

  /**
   * Deep-merges `patch` into the current values and commits the result. When the merged values
   * equal the current ones, nothing is committed and `changed` is false.
   */
  async writeValues(app: string, environment: string, patch: DeepPartial<HelmValues>, message: string): Promise<WriteValuesResult> {
    const path = this.valuesPath(app, environment);
    const patchYaml = formatValues(patch);
    return this.serialize(() => this.published(async () => {
      const head = await this.head();
      const text = head ? await this.readFile(head, path) : null;
      const current = text === null ? null : parseValues(text, `${path}@${head!.slice(0, 7)}`);
      if (!current && !HelmValuesSchema.safeParse(patch).success) {
        throw new GitOpsError("gitops_values_missing", `${path} does not exist and the patch is not a complete values file; initialise the app's values first`);
      }
      const values = validateValues(deepMerge<Record<string, unknown>>(current ?? {}, patch), `${path} after the patch`);
      if (current && canonicalJson(values) === canonicalJson(current)) return { revision: head!, previous: head, path, values: current, patchYaml, changed: false };
      const revision = await this.commitFile(path, formatValues(values), message);
      return { revision, previous: head, path, values, patchYaml, changed: true };
    }));
  }

  /** The text of a file at a revision, or null when the file does not exist there. */
  /**
   * Commits the values of `revision` as they were (a revert of everything since, whatever keys were
   * added later). Returns changed: false when they are already the current values.
   */
  async restoreValues(app: string, environment: string, revision: string, message: string): Promise<WriteValuesResult> {
    const path = this.valuesPath(app, environment);
    const old = await this.readValues(app, environment, revision);
    if (!old) throw new GitOpsError("gitops_values_missing", `${path} does not exist at revision ${revision.slice(0, 7)}`);
    return this.serialize(() => this.published(async () => {
      const head = await this.head();
      const text = head ? await this.readFile(head, path) : null;
      const current = text === null ? null : parseValues(text, `${path}@${head!.slice(0, 7)}`);
      const patchYaml = formatValues(old);
      if (current && canonicalJson(old) === canonicalJson(current)) return { revision: head!, previous: head, path, values: current, patchYaml, changed: false };
      const committed = await this.commitFile(path, formatValues(old), message);
      return { revision: committed, previous: head, path, values: old, patchYaml, changed: true };
    }));
  }

  async readFile(revision: string, path: string): Promise<string | null> {
    const oid = await this.resolveRevision(revision);
    if (!oid) throw new GitOpsError("gitops_revision_unknown", `revision ${revision} does not exist in the GitOps repository`);
    try {
      const { blob } = await git.readBlob({ fs, dir: this.dir, oid, filepath: path });
      return new TextDecoder().decode(blob);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** The commit the branch points at, or null before the first commit. */
  async head(): Promise<string | null> {
    try {
      return await git.resolveRef({ fs, dir: this.dir, ref: `refs/heads/${this.branch}` });
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** The latest `limit` commits, newest first. */
  async log(limit = 20): Promise<GitOpsCommit[]> {
    if (!(await this.head())) return [];
    const commits = await git.log({ fs, dir: this.dir, ref: `refs/heads/${this.branch}`, depth: limit });
    return commits.map((c) => ({
      revision: c.oid,
      message: c.commit.message.trimEnd(),
      at: new Date(c.commit.author.timestamp * 1000).toISOString(),
    }));
  }

  /** Whether `rev` (a full or abbreviated commit sha, or a ref) names a commit of the repository. */
  async hasRevision(rev: string): Promise<boolean> {
    return (await this.resolveRevision(rev)) !== null;
  }

  private async resolveRevision(rev: string): Promise<string | null> {
    try {
      const oid = /^[0-9a-f]{4,40}$/i.test(rev)
        ? await git.expandOid({ fs, dir: this.dir, oid: rev.toLowerCase() })
        : await git.resolveRef({ fs, dir: this.dir, ref: rev });
      await git.readCommit({ fs, dir: this.dir, oid });
      return oid;
    } catch (error) {
      if (isNotFound(error) || (error as { code?: string }).code === "ObjectTypeError") return null;
      throw error;
    }
  }

  /** Where the repository is published, without credentials; null for a local-only repository. */
  get remoteUrl(): string | null {
    return this.remote?.display ?? null;
  }

  /** Brings the local branch to the remote's (dropping local commits that never reached it). */
  private async pull(): Promise<void> {
    if (!this.remote) return;
    const remoteHead = await this.remote.fetch();
    if (remoteHead && remoteHead !== (await this.head())) await this.remote.resetTo(remoteHead);
  }

  /**
   * Runs a write from the remote's head and pushes what it committed. When another writer pushed
   * first, the write is redone on top of theirs (it reads the values again), at most 5 times.
   */
  private async published<T extends { revision: string; changed: boolean }>(work: () => Promise<T>): Promise<T> {
    if (!this.remote) return work();
    for (let attempt = 1; ; attempt++) {
      await this.pull();
      const result = await work();
      if (!result.changed || (await this.remote.push(result.revision)) === "pushed") return result;
      if (attempt >= 5) throw new GitOpsError("gitops_push_rejected", `${this.remote.display} kept moving: the push of ${result.revision.slice(0, 7)} was rejected ${attempt} times`);
    }
  }

  private async commitFile(path: string, text: string, message: string): Promise<string> {
    const abs = join(this.dir, ...path.split("/"));
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, text);
    await git.add({ fs, dir: this.dir, filepath: path });
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    const signature = { ...this.author, timestamp, timezoneOffset: 0 };
    return git.commit({ fs, dir: this.dir, ref: `refs/heads/${this.branch}`, message, author: signature, committer: signature });
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const previous = queues.get(this.dir) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.catch(() => undefined);
    queues.set(this.dir, settled);
    void settled.then(() => {
      if (queues.get(this.dir) === settled) queues.delete(this.dir);
    });
    return run;
  }
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "NotFoundError";
}
