import { open, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { StoreError } from "./errors.js";

/**
 * One process serves a PGlite data directory; others connect to its socket. PGlite has no
 * cross-process locking, so two processes opening the same directory would corrupt it: the owner
 * claims `autopilot-pglite.lock` with an exclusive create and records its pid and port there.
 */
export interface PgliteOwner {
  pid: number;
  port: number;
}

const LOCK = "autopilot-pglite.lock";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function read(dataDir: string): Promise<Partial<PgliteOwner> | null> {
  try {
    return JSON.parse(await readFile(path.join(dataDir, LOCK), "utf8")) as Partial<PgliteOwner>;
  } catch {
    return null;
  }
}

/** The live process serving `dataDir` (with its port), if another process does. */
export async function liveOwner(dataDir: string): Promise<PgliteOwner | null> {
  const owner = await read(dataDir);
  if (!owner?.pid || !owner.port || owner.pid === process.pid || !alive(owner.pid)) return null;
  return { pid: owner.pid, port: owner.port };
}

/** Claims `dataDir` for this process, clearing a stale claim; returns a function that records the port. */
export async function claim(dataDir: string): Promise<{ serving(port: number): Promise<void>; release(): Promise<void> }> {
  const file = path.join(dataDir, LOCK);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, "wx");
      await handle.writeFile(JSON.stringify({ pid: process.pid }));
      await handle.close();
      return {
        serving: (port) => writeFile(file, JSON.stringify({ pid: process.pid, port })),
        release: async () => {
          const owner = await read(dataDir);
          if (owner?.pid === process.pid) await rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = await read(dataDir);
      if (owner?.pid && owner.pid !== process.pid && alive(owner.pid)) {
        throw new StoreError("store_unavailable", `PGlite data directory ${dataDir} is being opened by process ${owner.pid}; try again in a moment`);
      }
      await rm(file, { force: true });
    }
  }
  throw new StoreError("store_unavailable", `cannot claim PGlite data directory ${dataDir}`);
}
