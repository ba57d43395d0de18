import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SeriesDetector } from "./detector.js";
import type { NabCorpus } from "./nab-corpus.js";

/** The NAB subset committed beside this file. */
export const INCLUDED_NAB_FOLDER = fileURLToPath(new URL("./nab/", import.meta.url));

/** What a test folder in the NAB layout holds: data files by key, and the label file's content. */
export interface NabFolderSpec {
  /** "category/file.csv" → the file's text. */
  data: Record<string, string>;
  /** The content of labels/combined_windows.json (any JSON, so broken label files can be written). */
  windows: unknown;
  /** The content of config/profiles.json; no file when absent. */
  profiles?: unknown;
}

/** Writes a folder in the NAB layout under the system's temporary directory and returns its path (tests only). */
export async function writeNabFolder(spec: NabFolderSpec): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "nab-"));
  const files: Record<string, string> = { [join("labels", "combined_windows.json")]: JSON.stringify(spec.windows, null, 2) };
  for (const [key, text] of Object.entries(spec.data)) files[join("data", key)] = text;
  if (spec.profiles !== undefined) files[join("config", "profiles.json")] = JSON.stringify(spec.profiles);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(join(folder, file)), { recursive: true });
    await writeFile(join(folder, file), text);
  }
  return folder;
}

/** A `timestamp,value` file of `values` at five-minute steps from 2014-04-01 00:00 (tests only). */
export function nabCsv(values: readonly number[]): string {
  return ["timestamp,value", ...values.map((v, i) => `${nabTime(i).slice(0, 19)},${v}`)].join("\n") + "\n";
}

/** The timestamp of row `i` in a file written by nabCsv, as NAB's labels write it (tests only). */
export function nabTime(i: number): string {
  return new Date(Date.UTC(2014, 3, 1) + i * 300_000).toISOString().replace("T", " ").replace("Z", "000");
}

/** A detector that flags exactly the first row of every label window of `corpus` (tests only). */
export function createOracleDetector(corpus: NabCorpus): SeriesDetector {
  // Series are matched by content, so the oracle also serves a corpus loaded again from the same folder.
  const key = (s: { timestamps: Date[]; values: number[] }) => `${s.values.length}|${s.timestamps[0]?.getTime()}|${s.timestamps.at(-1)?.getTime()}|${s.values.join(",")}`;
  const windowsOf = new Map(corpus.series.map((s) => [key(s), s.windows]));
  return {
    name: "oracle",
    async detect(series) {
      const windows = windowsOf.get(key(series));
      if (!windows) throw new Error("oracle: a series that is not in its corpus");
      const flagged = series.values.map((_, i) => windows.some((w) => w.startIndex === i));
      return { flagged, scores: flagged.map(Number) };
    },
  };
}

/** A detector that never flags (tests only): NAB's null detector. */
export const nullDetector: SeriesDetector = {
  name: "null",
  async detect(series) {
    return { flagged: series.values.map(() => false), scores: series.values.map(() => 0) };
  },
};
