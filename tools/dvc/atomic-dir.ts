import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Replaces directory `target` with one that `fill` builds in a scratch directory under
 * `scratchParent` (which must be on the same file system). A crash or an error in `fill` leaves
 * the old directory as it was; readers never see a half-written one.
 */
export async function replaceDirectory(target: string, scratchParent: string, fill: (dir: string) => Promise<void>): Promise<void> {
  await mkdir(scratchParent, { recursive: true });
  const scratch = await mkdtemp(join(scratchParent, `${basename(target)}-`));
  try {
    await fill(scratch);
    await mkdir(dirname(target), { recursive: true });
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    throw error;
  }
  // rename() cannot replace a non-empty directory, so the old one steps aside first.
  const retired = `${scratch}.old`;
  let hadTarget = true;
  try {
    await rename(target, retired);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      await rm(scratch, { recursive: true, force: true });
      throw error;
    }
    hadTarget = false;
  }
  try {
    await rename(scratch, target);
  } catch (error) {
    if (hadTarget) await rename(retired, target).catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
    throw error;
  }
  if (hadTarget) await rm(retired, { recursive: true, force: true });
}
