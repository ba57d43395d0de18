import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname } from "node:path";
import { redactSecrets } from "../../core/index.js";
import { GitOpsError } from "./values.js";

/** Where the GitOps repository lives when it is not only a local path. */
export interface GitRemoteOptions {
  /** Clone URL: https://, ssh://, git://, file:// or scp-like `git@host:org/repo.git`. */
  url: string;
  /** Token for an https remote (sent as HTTP basic auth with `username`); never on a command line or in an error. */
  token?: string;
  /** User name paired with the token (default "x-access-token", which GitHub and Gitea accept; GitLab takes "oauth2"). */
  username?: string;
  /** Upper bound of one git command in ms (default 60 s). */
  timeoutMs?: number;
  /** The git executable (default "git" on PATH). */
  gitExecutable?: string;
}

/** Whether `value` names a remote repository rather than a local path. */
export function isRemoteUrl(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^[\w.-]+@[\w.-]+:/.test(value);
}

/** The URL without user info, for messages. */
export function displayUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
}

/** What a push did. */
export type PushResult = "pushed" | "rejected";

/**
 * The network side of a GitOps repository, through the git executable (it speaks every transport:
 * https with a token, ssh with the user's keys, file). Local reads and commits stay with
 * isomorphic-git; this clones, fetches and pushes one branch of `origin`.
 */
export class GitRemote {
  private readonly timeoutMs: number;
  private readonly git: string;

  constructor(
    private readonly dir: string,
    private readonly branch: string,
    private readonly options: GitRemoteOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.git = options.gitExecutable ?? "git";
  }

  /** The URL without credentials. */
  get display(): string {
    return displayUrl(this.options.url);
  }

  /** Clones the remote into `dir` (which must not exist yet) with `branch` checked out; an empty remote gives an unborn branch. */
  async clone(): Promise<void> {
    await mkdir(dirname(this.dir), { recursive: true });
    await this.run(["clone", "--no-checkout", "--origin", "origin", "--", this.options.url, this.dir], dirname(this.dir));
    await this.run(["symbolic-ref", "HEAD", `refs/heads/${this.branch}`]);
    const head = await this.fetch();
    if (head) {
      await this.run(["update-ref", `refs/heads/${this.branch}`, head]);
      await this.run(["reset", "--hard", "--quiet", head]);
    }
  }

  /** Reaches the remote without a clone: the commit its branch points at, or null when the branch does not exist yet. */
  async probe(): Promise<string | null> {
    const listed = await this.run(["ls-remote", "--heads", "--", this.options.url, `refs/heads/${this.branch}`], tmpdir());
    return listed.trim() ? listed.trim().split(/\s+/)[0]! : null;
  }

  /** The git version, e.g. "2.39.5". */
  async version(): Promise<string> {
    return (await this.run(["--version"], tmpdir())).trim().replace(/^git version /, "");
  }

  /** The URL `origin` has in the clone at `dir`. */
  async originUrl(): Promise<string | null> {
    try {
      return (await this.run(["remote", "get-url", "origin"])).trim();
    } catch {
      return null;
    }
  }

  /** Fetches the branch; returns the commit it points at on the remote, or null when the remote has no such branch yet. */
  async fetch(): Promise<string | null> {
    const tracking = `refs/remotes/origin/${this.branch}`;
    const listed = await this.run(["ls-remote", "--heads", "origin", `refs/heads/${this.branch}`]);
    if (!listed.trim()) return null;
    await this.run(["fetch", "--quiet", "--no-tags", "origin", `+refs/heads/${this.branch}:${tracking}`]);
    return (await this.run(["rev-parse", "--verify", tracking])).trim();
  }

  /** Makes the local branch, index and working tree the commit `oid` (the remote's), dropping local commits that never reached it. */
  async resetTo(oid: string): Promise<void> {
    await this.run(["reset", "--hard", "--quiet", oid]);
  }

  /** Pushes `oid` to the branch; "rejected" when the remote moved on meanwhile (not a fast-forward). */
  async push(oid: string): Promise<PushResult> {
    try {
      await this.run(["push", "--porcelain", "origin", `${oid}:refs/heads/${this.branch}`]);
      return "pushed";
    } catch (error) {
      if (error instanceof GitOpsError && /\[rejected\]|\[remote rejected\]|non-fast-forward|fetch first|stale info|cannot lock ref/i.test(error.message)) return "rejected";
      throw error;
    }
  }

  private run(args: string[], cwd: string = this.dir): Promise<string> {
    const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", GIT_ASKPASS: "", SSH_ASKPASS: "" };
    if (this.options.token) {
      // Through the environment, so the token is not in the process list.
      const basic = Buffer.from(`${this.options.username ?? "x-access-token"}:${this.options.token}`).toString("base64");
      Object.assign(env, { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "http.extraHeader", GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` });
    }
    const secrets = [this.options.token, this.options.url !== this.display ? this.options.url : undefined, userInfoOf(this.options.url)].filter((s): s is string => Boolean(s));
    return new Promise((resolve, reject) => {
      execFile(this.git, args, { cwd, env, timeout: this.timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
        const timedOut = error.killed || error.signal === "SIGTERM";
        const why = missing
          ? `the git executable "${this.git}" was not found on PATH (a remote GitOps repository needs git)`
          : timedOut
            ? `timed out after ${this.timeoutMs} ms`
            : [stderr, stdout].join("\n").trim().split("\n").filter((l) => l.trim()).slice(-6).join(" | ") || error.message;
        const message = redactSecrets(`git ${args[0]} (${this.display}) failed: ${why}`, secrets);
        reject(new GitOpsError(missing ? "gitops_git_missing" : timedOut ? "gitops_remote_timeout" : "gitops_remote_failed", message));
      });
    });
  }
}

/** The user info (user:password) of a URL, which may hold a credential. */
function userInfoOf(url: string): string | undefined {
  return /^[a-z][a-z0-9+.-]*:\/\/([^/@]+)@/i.exec(url)?.[1];
}
