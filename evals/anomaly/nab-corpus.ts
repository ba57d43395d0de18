import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { NabCorpusError, parseNabCsv, parseNabTimestamp } from "./nab-csv.js";
import { NAB_PROFILES, type CostMatrix } from "./nab-score.js";

/** A labelled anomaly window of one series, with the rows it spans (inclusive). */
export interface NabWindow {
  start: Date;
  end: Date;
  /** The first row whose timestamp is `start` (NAB enters a window at the first match). */
  startIndex: number;
  /** The first row whose timestamp is `end` (NAB leaves a window at the first match). */
  endIndex: number;
}

/** One series of the corpus: its key ("category/file.csv"), rows and label windows in time order. */
export interface NabSeries {
  key: string;
  timestamps: Date[];
  values: number[];
  windows: NabWindow[];
}

/** A folder in the NAB layout, read and checked. */
export interface NabCorpus {
  folder: string;
  /** The labelled series, sorted by key. */
  series: NabSeries[];
  /** Data files with no entry in the label file: not evaluated, as NAB takes the label file as the list of files. */
  unlabelled: string[];
  /** Cost matrices by profile name: config/profiles.json when the folder has one, NAB's own otherwise. */
  profiles: Record<string, CostMatrix>;
}

const LABELS = join("labels", "combined_windows.json");

/**
 * Reads a folder in NAB's layout: data/<category>/<file>.csv and labels/combined_windows.json
 * (keys like "realKnownCause/nyc_taxi.csv", values lists of [start, end] timestamps), plus
 * config/profiles.json when present. Throws a NabCorpusError naming the file, line or field at fault.
 */
export async function loadNabCorpus(folder: string): Promise<NabCorpus> {
  const dataFiles = await listDataFiles(folder);
  const labels = await readJson(folder, LABELS);
  if (!isRecord(labels)) throw new NabCorpusError(`${LABELS}: expected an object of file keys to window lists`, { file: LABELS });
  const series: NabSeries[] = [];
  for (const key of Object.keys(labels).sort()) {
    if (!dataFiles.includes(key)) {
      throw new NabCorpusError(`${LABELS}: "${key}" has no data file data/${key}`, { file: LABELS, field: key });
    }
    const file = join("data", key);
    const rows = parseNabCsv(await readFile(join(folder, file), "utf8"), file);
    series.push({ key, ...rows, windows: readWindows(labels[key], key, rows.timestamps) });
  }
  const unlabelled = dataFiles.filter((key) => !(key in labels));
  return { folder, series, unlabelled, profiles: await readProfiles(folder) };
}

async function listDataFiles(folder: string): Promise<string[]> {
  const dataDir = join(folder, "data");
  if (!(await isDirectory(dataDir))) throw new NabCorpusError(`${folder}: no data/ folder (expected data/<category>/<file>.csv)`, { file: dataDir });
  const keys: string[] = [];
  for (const category of (await readdir(dataDir, { withFileTypes: true })).filter((e) => e.isDirectory())) {
    for (const entry of await readdir(join(dataDir, category.name), { withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith(".csv")) keys.push(`${category.name}/${entry.name}`);
    }
  }
  return keys.sort();
}

function readWindows(raw: unknown, key: string, timestamps: readonly Date[]): NabWindow[] {
  if (!Array.isArray(raw)) throw new NabCorpusError(`${LABELS}: "${key}" is not a list of windows`, { file: LABELS, field: key });
  const firstRow = new Map<number, number>();
  timestamps.forEach((t, i) => firstRow.has(t.getTime()) || firstRow.set(t.getTime(), i));
  const windows = raw.map((pair: unknown, w): NabWindow => {
    const where = `${LABELS}: "${key}" window ${w + 1}`;
    if (!Array.isArray(pair) || pair.length !== 2) throw new NabCorpusError(`${where} is not a [start, end] pair`, { file: LABELS, field: `${key}[${w}]` });
    const [start, end] = (["start", "end"] as const).map((edge, e) => {
      const text = pair[e];
      const date = typeof text === "string" ? parseNabTimestamp(text) : undefined;
      if (!date) throw new NabCorpusError(`${where}: ${edge} ${JSON.stringify(text)} is not a timestamp`, { file: LABELS, field: `${key}[${w}].${edge}` });
      // NAB's labeler requires label timestamps to match rows of the data file exactly.
      if (!firstRow.has(date.getTime())) throw new NabCorpusError(`${where}: ${edge} "${text}" is not a timestamp of data/${key}`, { file: LABELS, field: `${key}[${w}].${edge}` });
      return date;
    }) as [Date, Date];
    if (end < start) throw new NabCorpusError(`${where}: ends before it starts`, { file: LABELS, field: `${key}[${w}]` });
    return { start, end, startIndex: firstRow.get(start.getTime())!, endIndex: firstRow.get(end.getTime())! };
  });
  windows.forEach((window, w) => {
    const previous = windows[w - 1];
    if (previous && window.start <= previous.end) {
      throw new NabCorpusError(`${LABELS}: "${key}" window ${w + 1} starts before window ${w} ends (NAB windows are in time order and do not overlap)`, { file: LABELS, field: `${key}[${w}]` });
    }
  });
  return windows;
}

async function readProfiles(folder: string): Promise<Record<string, CostMatrix>> {
  const file = join("config", "profiles.json");
  if (!(await isFile(join(folder, file)))) return { ...NAB_PROFILES };
  const raw = await readJson(folder, file);
  if (!isRecord(raw)) throw new NabCorpusError(`${file}: expected an object of profiles`, { file });
  const profiles: Record<string, CostMatrix> = {};
  for (const [name, profile] of Object.entries(raw)) {
    const matrix = isRecord(profile) ? profile.CostMatrix : undefined;
    const weights = (["tpWeight", "fpWeight", "fnWeight"] as const).map((w) => (isRecord(matrix) ? matrix[w] : undefined));
    const bad = weights.findIndex((v) => typeof v !== "number" || !Number.isFinite(v));
    if (bad >= 0) throw new NabCorpusError(`${file}: profile "${name}" has no numeric CostMatrix.${["tpWeight", "fpWeight", "fnWeight"][bad]}`, { file, field: name });
    const [tpWeight, fpWeight, fnWeight] = weights as [number, number, number];
    profiles[name] = { tpWeight, fpWeight, fnWeight };
  }
  if (!profiles.standard) throw new NabCorpusError(`${file}: no "standard" profile`, { file, field: "standard" });
  return profiles;
}

async function readJson(folder: string, file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(join(folder, file), "utf8");
  } catch (error) {
    throw new NabCorpusError(`${folder}: cannot read ${file}`, { file }, error);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new NabCorpusError(`${file}: not valid JSON (${(error as Error).message})`, { file }, error);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isDirectory = (path: string) => stat(path).then((s) => s.isDirectory(), () => false);
const isFile = (path: string) => stat(path).then((s) => s.isFile(), () => false);
