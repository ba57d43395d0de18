import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SimulatedClock } from "../../core/index.js";
import { GitOpsRepo } from "./repo.js";
import { displayUrl, isRemoteUrl } from "./remote.js";
import { startGitHttpServer, type GitHttpServer } from "./testing/git-http-server.js";
import type { HelmValues } from "./values.js";

const INITIAL: HelmValues = { model: { name: "search-reranker", version: "1" }, canary: { enabled: false, version: null, weight: 0 } };

let tmp: string;
let bare: string;
let clock: SimulatedClock;
let server: GitHttpServer | undefined;

/** The commit a branch of the bare repository points at (what Argo CD would fetch). */
const remoteHead = (branch = "main") => execFileSync("git", ["--git-dir", bare, "rev-parse", `refs/heads/${branch}`], { encoding: "utf8" }).trim();
const remoteLog = () => execFileSync("git", ["--git-dir", bare, "log", "--format=%s", "main"], { encoding: "utf8" }).trim().split("\n");
const open = (name: string, url = pathToFileURL(bare).href, extra: Partial<Parameters<typeof GitOpsRepo.open>[0]["remote"]> = {}) =>
  GitOpsRepo.open({ dir: join(tmp, name), clock, remote: { url, timeoutMs: 20_000, ...extra } });

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), "gitops-remote-"));
  bare = join(tmp, "remote.git");
  execFileSync("git", ["init", "--quiet", "--bare", "--initial-branch=main", bare]);
  clock = new SimulatedClock({ start: new Date("2026-03-01T12:00:00Z") });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(tmp, { recursive: true, force: true });
});

describe("GitOpsRepo with a remote", () => {
  it("tells remote URLs from paths and shows them without credentials", () => {
    expect(["https://git.example.com/org/gitops.git", "ssh://git@host/x.git", "git@github.com:org/gitops.git", "file:///srv/gitops.git"].map(isRemoteUrl)).toEqual([true, true, true, true]);
    expect(["/srv/gitops", "./gitops", "gitops"].map(isRemoteUrl)).toEqual([false, false, false]);
    expect(displayUrl("https://bot:s3cret@git.example.com/org/gitops.git")).toBe("https://git.example.com/org/gitops.git");
  });

  it("clones an empty remote and pushes every commit before the write returns", async () => {
    const a = await open("a");
    expect(a.remoteUrl).toBe(pathToFileURL(bare).href);
    const first = await a.initApp("search", "production", INITIAL);
    expect(remoteHead()).toBe(first);
    const written = await a.writeValues("search", "production", { model: { version: "2" } }, "Promote v2");
    expect(written.changed).toBe(true);
    expect(remoteHead()).toBe(written.revision);
    // Unchanged values push nothing.
    expect((await a.writeValues("search", "production", { model: { version: "2" } }, "again")).changed).toBe(false);
    expect(remoteLog()).toEqual(["Promote v2", "Initialise search values for production"]);
  });

  it("lets two replicas write through one remote: a rejected push is redone on top of the other's commit", async () => {
    const a = await open("a");
    await a.initApp("search", "production", { ...INITIAL, replicas: 2 });
    const b = await open("b");
    // b cloned a's commit.
    expect(await b.readValues("search", "production")).toMatchObject({ model: { version: "1" }, replicas: 2 });
    const fromB = await b.writeValues("search", "production", { replicas: 4 }, "Scale to 4");
    // a has not fetched b's commit; its write starts from the remote's head and keeps b's change.
    const fromA = await a.writeValues("search", "production", { model: { version: "3" } }, "Promote v3");
    expect(remoteHead()).toBe(fromA.revision);
    expect(fromA.values).toMatchObject({ model: { version: "3" }, replicas: 4 });
    expect(remoteLog()).toEqual(["Promote v3", "Scale to 4", "Initialise search values for production"]);
    // b reads the head another replica wrote, and a revision it has not fetched yet.
    expect(await b.readValues("search", "production")).toMatchObject({ model: { version: "3" } });
    expect(await a.readValues("search", "production", fromB.revision)).toMatchObject({ replicas: 4, model: { version: "1" } });
    // Concurrent writers on both replicas all land, none lost.
    const writes = await Promise.all([
      a.writeValues("search", "production", { replicas: 5 }, "a: 5"),
      b.writeValues("search", "production", { canary: { enabled: true, version: "4", weight: 10 } }, "b: canary"),
    ]);
    expect(writes.every((w) => w.changed)).toBe(true);
    expect(await a.readValues("search", "production")).toMatchObject({ replicas: 5, canary: { enabled: true, version: "4", weight: 10 } });
    expect(remoteLog()).toHaveLength(5);
  });

  it("refuses a clone of another remote, and a directory that is not a clone", async () => {
    await open("a");
    const other = join(tmp, "other.git");
    execFileSync("git", ["init", "--quiet", "--bare", other]);
    await expect(open("a", pathToFileURL(other).href)).rejects.toThrow(/is a clone of .*remote\.git, not of .*other\.git/);
    mkdirSync(join(tmp, "stuff"));
    writeFileSync(join(tmp, "stuff", "notes.txt"), "x");
    await expect(open("stuff")).rejects.toThrow(/exists and is not a git repository/);
  });

  it("authenticates to an https-style remote with a token it never shows, and names the remote when the token is wrong", async () => {
    const root = join(tmp, "served");
    mkdirSync(root);
    execFileSync("git", ["init", "--quiet", "--bare", "--initial-branch=main", join(root, "gitops.git")]);
    execFileSync("git", ["--git-dir", join(root, "gitops.git"), "config", "http.receivepack", "true"]);
    server = await startGitHttpServer(root, { username: "x-access-token", token: "tok-gitops-0123456789" });
    const url = `${server.url}/gitops.git`;

    const repo = await open("http-a", url, { token: "tok-gitops-0123456789" });
    const rev = await repo.initApp("search", "production", INITIAL);
    expect(execFileSync("git", ["--git-dir", join(root, "gitops.git"), "rev-parse", "main"], { encoding: "utf8" }).trim()).toBe(rev);
    expect(server.authorizations.filter(Boolean).length).toBeGreaterThan(0);

    const wrong = await open("http-b", url, { token: "tok-wrong-9876543210" }).then(
      () => null,
      (error: Error & { code?: string }) => error,
    );
    expect(wrong?.code).toBe("gitops_remote_failed");
    expect(wrong?.message).toContain(url);
    expect(wrong?.message).not.toContain("tok-wrong-9876543210");
    expect(wrong?.message).not.toContain(Buffer.from("x-access-token:tok-wrong-9876543210").toString("base64"));

    // Credentials in the URL itself are kept out of messages too.
    const inUrl = await open("http-c", url.replace("http://", "http://bot:pa55word-secret@"), {}).then(
      () => null,
      (error: Error) => error,
    );
    expect(inUrl?.message).toContain("failed");
    expect(inUrl?.message).not.toContain("pa55word-secret");
  });

  it("fails with a clear error when the remote is unreachable or git is missing", async () => {
    const unreachable = await open("x", "http://127.0.0.1:9/nothing.git", { timeoutMs: 5_000 }).catch((e: Error & { code?: string }) => e);
    expect((unreachable as { code?: string }).code).toMatch(/gitops_remote_(failed|timeout)/);
    const noGit = await open("y", pathToFileURL(bare).href, { gitExecutable: join(tmp, "no-such-git") }).catch((e: Error & { code?: string }) => e);
    expect(noGit).toMatchObject({ code: "gitops_git_missing" });
    expect((noGit as Error).message).toContain("was not found on PATH");
  });
});
