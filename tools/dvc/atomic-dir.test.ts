import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { replaceDirectory } from "./atomic-dir.js";

describe("replaceDirectory", () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), "atomic-dir-"));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("swaps in the new contents and drops files the new version lacks", async () => {
    const target = join(tmp, "data", "set");
    await mkdir(target, { recursive: true });
    await writeFile(join(target, "stale.csv"), "old");
    await replaceDirectory(target, join(tmp, "scratch"), async (dir) => {
      await writeFile(join(dir, "train.csv"), "new");
    });
    expect(await readdir(target)).toEqual(["train.csv"]);
    expect(await readdir(join(tmp, "scratch"))).toEqual([]);
  });

  it("leaves the old directory untouched and no scratch behind when writing fails half-way", async () => {
    const target = join(tmp, "set");
    await mkdir(target);
    await writeFile(join(target, "train.csv"), "old train");
    await writeFile(join(target, "eval.csv"), "old eval");
    const failure = replaceDirectory(target, join(tmp, "scratch"), async (dir) => {
      await writeFile(join(dir, "train.csv"), "new train");
      throw new Error("disk full");
    });
    await expect(failure).rejects.toThrow("disk full");
    expect(await readFile(join(target, "train.csv"), "utf8")).toBe("old train");
    expect((await readdir(target)).sort()).toEqual(["eval.csv", "train.csv"]);
    expect(await readdir(join(tmp, "scratch"))).toEqual([]);
  });

  it("creates the directory when it did not exist", async () => {
    const target = join(tmp, "fresh");
    await replaceDirectory(target, join(tmp, "scratch"), async (dir) => writeFile(join(dir, "a"), "a"));
    expect(await readFile(join(target, "a"), "utf8")).toBe("a");
  });
});
