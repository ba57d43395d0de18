import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DvcWorkspace } from "./workspace.js";

let tmp: string;
let ws: DvcWorkspace;

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), "dvc-ws-"));
  ws = await DvcWorkspace.open(join(tmp, "ws"), { dvcExecutable: null });
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function writeTree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(join(dir, ...rel.split("/").slice(0, -1)), { recursive: true });
    await writeFile(join(dir, ...rel.split("/")), text);
  }
}

const cached = (md5: string) => join(ws.root, ".dvc", "cache", "files", "md5", md5.slice(0, 2), md5.slice(2));

describe("DvcWorkspace.open", () => {
  it("initialises .dvc like dvc init --no-scm and keeps an existing config", async () => {
    expect(await readFile(join(ws.root, ".dvc", "config"), "utf8")).toBe("[core]\n    no_scm = True\n");
    expect(await readFile(join(ws.root, ".dvc", ".gitignore"), "utf8")).toBe("/config.local\n/tmp\n/cache\n");
    await writeFile(join(ws.root, ".dvc", "config"), "[core]\n    remote = r\n");
    await DvcWorkspace.open(ws.root);
    expect(await readFile(join(ws.root, ".dvc", "config"), "utf8")).toBe("[core]\n    remote = r\n");
    expect(ws.datasetDir("x")).toBe(join(ws.root, "datasets", "x"));
  });

  it("refuses paths outside the workspace", async () => {
    await expect(ws.addDirectory("../escape")).rejects.toThrow(/inside the DVC workspace/);
    expect(() => ws.abs("/etc")).toThrow(/inside the DVC workspace/);
  });
});

describe("hashing (section 6.3 vectors)", () => {
  it("hashes a file's raw bytes and writes its .dvc file", async () => {
    await writeFile(join(ws.root, "foo"), "foo");
    expect(await ws.hashFile(join(ws.root, "foo"))).toEqual({ md5: "acbd18db4cc2f85cedef654fccc4a4d8", size: 3 });
    const out = await ws.addFile("foo");
    expect(out).toEqual({ md5: "acbd18db4cc2f85cedef654fccc4a4d8", size: 3, hash: "md5", path: "foo" });
    expect(await readFile(join(ws.root, "foo.dvc"), "utf8")).toBe(
      "outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 3\n  hash: md5\n  path: foo\n",
    );
    expect(await readFile(cached(out.md5), "utf8")).toBe("foo");
  });

  it("hashes data/{one,two} to 6b18131d...dir", async () => {
    await writeTree(join(ws.root, "data"), { one: "one", two: "two" });
    const out = await ws.addDirectory("data");
    expect(out.md5).toBe("6b18131dc289fd37006705affe961ef8.dir");
  });

  it("adds data/{bar,foo}: cache layout, .dir object and exact .dvc text", async () => {
    await writeTree(join(ws.root, "data"), { foo: "foo", bar: "bar" });
    const out = await ws.addDirectory("data");
    expect(out).toEqual({ md5: "5ea40360f5b4ec688df672a4db9c17d1.dir", size: 6, nfiles: 2, hash: "md5", path: "data" });
    expect(await readFile(join(ws.root, "data.dvc"), "utf8")).toBe(
      "outs:\n- md5: 5ea40360f5b4ec688df672a4db9c17d1.dir\n  size: 6\n  nfiles: 2\n  hash: md5\n  path: data\n",
    );
    expect(await readFile(join(ws.root, ".dvc/cache/files/md5/5e/a40360f5b4ec688df672a4db9c17d1.dir"), "utf8")).toBe(
      '[{"md5": "37b51d194a7513e45b56f6524f2d51f2", "relpath": "bar"}, {"md5": "acbd18db4cc2f85cedef654fccc4a4d8", "relpath": "foo"}]',
    );
    expect(await readFile(join(ws.root, ".dvc/cache/files/md5/37/b51d194a7513e45b56f6524f2d51f2"), "utf8")).toBe("bar");
    expect(await readFile(join(ws.root, ".dvc/cache/files/md5/ac/bd18db4cc2f85cedef654fccc4a4d8"), "utf8")).toBe("foo");
    expect((await stat(cached(out.md5))).mode & 0o777).toBe(0o444);
    expect(await ws.readDvcFile("data")).toEqual(out);
    expect(await ws.readDvcFile("data.dvc")).toEqual(out);
  });

  it("hashes non-ASCII, escaped and astral relpaths the Python way", async () => {
    // Expected hash computed with Python: json.dumps(sorted(entries, key=relpath), sort_keys=True).
    await writeTree(join(ws.root, "intl"), {
      "café/naïve.txt": "accent",
      "日本.csv": "kanji",
      "\u{1F600}.txt": "emoji",
      "\uff5e.txt": "wide",
      'a"q\\b.txt': "quote",
      "tab\there.txt": "tab",
      "del\u007f.txt": "del",
    });
    const out = await ws.addDirectory("intl");
    expect(out).toMatchObject({ md5: "5e0e30fc3e463842884b93ac52b31229.dir", size: 31, nfiles: 7 });
  });
});

describe("status and checkout", () => {
  it("reports untracked, unchanged, modified and missing, and restores from the cache", async () => {
    const data = join(ws.root, "data");
    await writeTree(data, { foo: "foo", "sub/bar": "bar" });
    expect(await ws.status("data")).toBe("untracked");
    const out = await ws.addDirectory("data");
    expect(await ws.status("data")).toBe("unchanged");

    await writeFile(join(data, "foo"), "changed");
    await writeFile(join(data, "extra"), "x");
    expect(await ws.status("data")).toBe("modified");
    await ws.checkout("data");
    expect(await ws.status("data")).toBe("unchanged");
    expect((await readdir(data)).sort()).toEqual(["foo", "sub"]);
    expect(await readFile(join(data, "foo"), "utf8")).toBe("foo");

    await rm(data, { recursive: true });
    expect(await ws.status("data")).toBe("missing");
    expect(await ws.checkout("data")).toEqual(out);
    expect(await readFile(join(data, "sub", "bar"), "utf8")).toBe("bar");
    expect(await ws.status("data")).toBe("unchanged");
  });

  it("checks out a single file and fails clearly when the cache lost an object", async () => {
    await writeFile(join(ws.root, "foo"), "foo");
    const out = await ws.addFile("foo");
    await rm(join(ws.root, "foo"));
    await ws.checkout("foo");
    expect(await readFile(join(ws.root, "foo"), "utf8")).toBe("foo");
    await chmod(cached(out.md5), 0o644);
    await rm(cached(out.md5));
    await rm(join(ws.root, "foo"));
    await expect(ws.checkout("foo")).rejects.toThrow(/not in the cache/);
    await expect(ws.checkout("nothing")).rejects.toThrow(/no .dvc file/);
  });
});

describe("dvc.lock", () => {
  it("writes schema 2.0 with sorted deps in DVC's key order and keeps other stages", async () => {
    await writeFile(
      join(ws.root, "dvc.lock"),
      "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n    outs:\n    - path: model.pkl\n      hash: md5\n      md5: acbd18db4cc2f85cedef654fccc4a4d8\n      size: 3\n",
    );
    const dir = { md5: "5ea40360f5b4ec688df672a4db9c17d1.dir", size: 6, nfiles: 2, hash: "md5" as const };
    await ws.writeLockStage("augment-x", {
      cmd: "autopilot augment --dataset x",
      deps: [
        { ...dir, path: "datasets/z" },
        { md5: "acbd18db4cc2f85cedef654fccc4a4d8", size: 3, hash: "md5", path: "datasets/a" },
      ],
      params: { "params.yaml": { "augment.seed": 1 } },
      outs: [{ ...dir, path: "datasets/x-augmented" }],
    });
    const text = await readFile(join(ws.root, "dvc.lock"), "utf8");
    expect(text).toBe(
      [
        "schema: '2.0'",
        "stages:",
        "  train:",
        "    cmd: python train.py",
        "    outs:",
        "    - path: model.pkl",
        "      hash: md5",
        "      md5: acbd18db4cc2f85cedef654fccc4a4d8",
        "      size: 3",
        "  augment-x:",
        "    cmd: autopilot augment --dataset x",
        "    deps:",
        "    - path: datasets/a",
        "      hash: md5",
        "      md5: acbd18db4cc2f85cedef654fccc4a4d8",
        "      size: 3",
        "    - path: datasets/z",
        "      hash: md5",
        "      md5: 5ea40360f5b4ec688df672a4db9c17d1.dir",
        "      size: 6",
        "      nfiles: 2",
        "    params:",
        "      params.yaml:",
        "        augment.seed: 1",
        "    outs:",
        "    - path: datasets/x-augmented",
        "      hash: md5",
        "      md5: 5ea40360f5b4ec688df672a4db9c17d1.dir",
        "      size: 6",
        "      nfiles: 2",
        "",
      ].join("\n"),
    );
    // Updating a stage replaces it in place.
    await ws.writeLockStage("train", { cmd: "python train.py --fast", deps: [], outs: [] });
    const updated = await readFile(join(ws.root, "dvc.lock"), "utf8");
    expect(updated.indexOf("  train:")).toBeLessThan(updated.indexOf("  augment-x:"));
    expect(await ws.readLockStage("train")).toEqual({ cmd: "python train.py --fast", deps: [], outs: [] });
    expect((await ws.readLockStage("augment-x"))?.deps.map((d) => d.path)).toEqual(["datasets/a", "datasets/z"]);
  });

  it("creates dvc.lock with the schema first and refuses another schema", async () => {
    await ws.writeLockStage("s", { cmd: "true", deps: [], outs: [{ md5: "acbd18db4cc2f85cedef654fccc4a4d8", size: 3, hash: "md5", path: "foo" }] });
    expect(await readFile(join(ws.root, "dvc.lock"), "utf8")).toBe(
      "schema: '2.0'\nstages:\n  s:\n    cmd: 'true'\n    outs:\n    - path: foo\n      hash: md5\n      md5: acbd18db4cc2f85cedef654fccc4a4d8\n      size: 3\n",
    );
    await writeFile(join(ws.root, "dvc.lock"), "schema: '3.0'\nstages: {}\n");
    await expect(ws.writeLockStage("s", { cmd: "x", deps: [], outs: [] })).rejects.toThrow(/only '2.0'/);
  });
});

describe("push", () => {
  it("copies missing cache objects to a local-path default remote in the same layout", async () => {
    await writeTree(join(ws.root, "data"), { foo: "foo", bar: "bar" });
    await ws.addDirectory("data");
    await writeFile(join(ws.root, ".dvc", "config"), "[core]\n    no_scm = True\n    remote = local\n['remote \"local\"']\n    url = ../../remote\n");
    expect(await ws.push()).toEqual({ via: "copy", remote: "local", pushed: 3 });
    const remote = join(tmp, "remote", "files", "md5");
    expect(await readFile(join(remote, "5e", "a40360f5b4ec688df672a4db9c17d1.dir"), "utf8")).toContain('"relpath": "bar"');
    expect(await readFile(join(remote, "ac", "bd18db4cc2f85cedef654fccc4a4d8"), "utf8")).toBe("foo");
    expect(await readFile(join(remote, "37", "b51d194a7513e45b56f6524f2d51f2"), "utf8")).toBe("bar");
    expect(await ws.push()).toEqual({ via: "copy", remote: "local", pushed: 0 });
  });

  it("makes a configured remote the default in .dvc/config.local, keeping the other keys there", async () => {
    await writeFile(join(ws.root, ".dvc", "config.local"), "[cache]\n    type = symlink\n");
    const withRemote = await DvcWorkspace.open(ws.root, { remote: { url: join(tmp, "env-remote") }, dvcExecutable: null });
    expect(await withRemote.defaultRemote()).toEqual({ name: "autopilot", url: join(tmp, "env-remote") });
    const local = await readFile(join(ws.root, ".dvc", "config.local"), "utf8");
    expect(local).toContain("type = symlink");
    expect(local).toContain("['remote \"autopilot\"']");
    // The committed config is untouched.
    expect(await readFile(join(ws.root, ".dvc", "config"), "utf8")).toBe("[core]\n    no_scm = True\n");
    await writeTree(join(ws.root, "data"), { foo: "foo" });
    await withRemote.addDirectory("data");
    expect(await withRemote.push()).toEqual({ via: "copy", remote: "autopilot", pushed: 2 });
    // Reopening with another url moves the default.
    const moved = await DvcWorkspace.open(ws.root, { remote: { name: "backup", url: "s3://bucket/dvc" }, dvcExecutable: null });
    expect(await moved.defaultRemote()).toEqual({ name: "backup", url: "s3://bucket/dvc" });
    await expect(DvcWorkspace.open(ws.root, { remote: { name: "bad name", url: "x" } })).rejects.toThrow(/remote name "bad name"/);
  });

  it("throws a clear error without a remote or with a cloud remote", async () => {
    await expect(ws.push()).rejects.toThrow(/no default remote/);
    await writeFile(join(ws.root, ".dvc", "config"), "[core]\n    remote = s3r\n[remote \"s3r\"]\n    url = s3://bucket/path\n");
    await expect(ws.push()).rejects.toThrow(/only local-path remotes/);
  });

  it("runs the dvc executable when there is one, and falls back when it does not exist", async () => {
    const fake = join(tmp, "fake-dvc");
    await writeFile(fake, '#!/bin/sh\necho "$@" > "$PWD/pushed.txt"\n');
    await chmod(fake, 0o755);
    const withDvc = await DvcWorkspace.open(ws.root, { dvcExecutable: fake });
    expect(await withDvc.push()).toEqual({ via: "dvc", remote: "default", pushed: null });
    expect(await readFile(join(ws.root, "pushed.txt"), "utf8")).toBe("push\n");

    const absent = await DvcWorkspace.open(ws.root, { dvcExecutable: join(tmp, "no-such-dvc") });
    await writeFile(join(ws.root, ".dvc", "config"), "[core]\n    remote = r\n['remote \"r\"']\n    url = " + join(tmp, "r2") + "\n");
    expect((await absent.push()).via).toBe("copy");

    const failing = join(tmp, "failing-dvc");
    await writeFile(failing, "#!/bin/sh\necho 'ERROR: no remote' >&2\nexit 1\n");
    await chmod(failing, 0o755);
    await expect((await DvcWorkspace.open(ws.root, { dvcExecutable: failing })).push()).rejects.toThrow(/dvc push failed: ERROR: no remote/);

    const hanging = join(tmp, "hanging-dvc");
    await writeFile(hanging, "#!/bin/sh\nexec sleep 30\n");
    await chmod(hanging, 0o755);
    const slow = await DvcWorkspace.open(ws.root, { dvcExecutable: hanging, pushTimeoutMs: 200 });
    await expect(slow.push()).rejects.toThrow(/dvc push timed out after 200 ms/);
  });
});
