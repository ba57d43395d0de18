import { afterEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { openDatabase, type Database } from "./db.js";

const run = promisify(execFile);
const dirs: string[] = [];
const dbs: Database[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("a PGlite data directory shared between processes", () => {
  it("lets a second process (a CLI next to `npm start`) connect to the owner's socket instead of opening the files", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "pglite-lock-"));
    dirs.push(dir);
    const owner = await openDatabase({ dataDir: dir });
    dbs.push(owner);
    await owner.query("CREATE TABLE shared_note (note text)");
    await owner.query("INSERT INTO shared_note (note) VALUES ('from the owner')");
    const child = await run(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "testing", "open-shared.ts"), dir], { timeout: 60_000 });
    expect(JSON.parse(child.stdout)).toEqual({ kind: "pglite", notes: ["from the owner"] });
    const after = await owner.query("SELECT note FROM shared_note ORDER BY note");
    expect(after.rows.map((r) => r.note)).toEqual(["from the child", "from the owner"]);
  });

  it("takes over a directory whose owner died without cleaning up", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "pglite-lock-"));
    dirs.push(dir);
    await writeFile(path.join(dir, "autopilot-pglite.lock"), JSON.stringify({ pid: 2 ** 22 + 7, port: 1 }));
    const db = await openDatabase({ dataDir: dir });
    dbs.push(db);
    expect((await db.query("SELECT 1 AS one")).rows[0]!.one).toBe(1);
  });
});
