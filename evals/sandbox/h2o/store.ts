import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { Random } from "../random.js";
import { parseCsv } from "../../../tools/index.js";
import { buildFrame, frameKey, guessTypes, meta, type Frame, type ParseType } from "./frame.js";
import { H2oError, jobJson, type JobState } from "./schemas.js";
import type { H2oModel } from "./models.js";

interface JobRecord {
  state: JobState;
  polls: number;
  outcome: { status: "DONE" } | { status: "FAILED"; exception: string };
  onDone?: () => void;
}

/**
 * The H2O node's memory: raw imported files, parsed frames, jobs and models. Jobs report RUNNING
 * on their first poll and finish on the next one, so clients exercise their polling loops.
 */
export class H2oStore {
  readonly raw = new Map<string, { path: string; text: string }>();
  readonly frames = new Map<string, Frame>();
  readonly models = new Map<string, H2oModel>();
  private readonly jobs = new Map<string, JobRecord>();

  constructor(
    private readonly now: () => number,
    private readonly random: Random,
  ) {}

  /**
   * Imports a local file, or every file of a directory, as raw frames. A path that does not exist
   * is a 404, as H2O's PersistNFS answers it; files of a directory that cannot be read go into `fails`.
   */
  async importFiles(path: string | undefined, pattern?: string) {
    if (!path) throw new H2oError(412, "Illegal argument: path of function: ImportFiles: path is required");
    const absolute = resolve(path);
    const files: string[] = [];
    const fails: string[] = [];
    try {
      const info = await stat(absolute);
      if (info.isDirectory()) {
        const regex = pattern ? new RegExp(pattern) : null;
        for (const entry of (await readdir(absolute, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
          if (entry.isFile() && !entry.name.startsWith(".") && (!regex || regex.test(entry.name))) files.push(join(absolute, entry.name));
        }
      } else files.push(absolute);
    } catch {
      throw new H2oError(404, `File ${path} does not exist`);
    }
    const keys: string[] = [];
    for (const file of files) {
      try {
        const key = `nfs:/${file}`;
        this.raw.set(key, { path: file, text: await readFile(file, "utf8") });
        keys.push(key);
      } catch {
        fails.push(file);
      }
    }
    return { __meta: meta("ImportFilesV3", "ImportFiles"), path, pattern: pattern ?? "", files: files.filter((f) => !fails.includes(f)), destination_frames: keys, fails, dels: [] };
  }

  /** Guesses how to parse raw frames: header, column names and types, and the destination frame name. */
  parseSetup(sourceFrames: string[]) {
    const { names, types, rows } = this.readSources(sourceFrames, 0);
    return {
      __meta: meta("ParseSetupV3", "ParseSetup"),
      source_frames: sourceFrames.map(frameKey),
      parse_type: "CSV",
      separator: 44,
      single_quotes: false,
      check_header: 1,
      column_names: names,
      column_types: types,
      na_strings: null,
      destination_frame: hexName(sourceFrames[0]!),
      header_lines: 0,
      number_columns: names.length,
      data: rows.slice(0, 10),
      chunk_size: 4_194_304,
      total_filtered_column_count: names.length,
      warnings: [],
    };
  }

  /** Parses raw frames into a frame (an asynchronous job in H2O). */
  parse(params: { source_frames: string[]; destination_frame?: string; column_names?: string[]; column_types?: string[]; check_header?: number; delete_on_done?: boolean; blocking?: boolean }) {
    const { names, types, rows } = this.readSources(params.source_frames, params.check_header ?? 0);
    const key = params.destination_frame || hexName(params.source_frames[0]!);
    const finalNames = params.column_names?.length === names.length ? params.column_names : names;
    const finalTypes = (params.column_types?.length === names.length ? params.column_types : types) as ParseType[];
    const frame = buildFrame(key, finalNames, finalTypes, rows);
    this.frames.set(key, frame);
    if (params.delete_on_done ?? true) for (const source of params.source_frames) this.raw.delete(source);
    const job = this.startJob("Parse", key, "Key<Frame>", { status: "DONE" });
    if (params.blocking) this.finish(job);
    return {
      __meta: meta("ParseV3", "Parse"),
      destination_frame: frameKey(key),
      source_frames: params.source_frames.map(frameKey),
      parse_type: "CSV",
      separator: 44,
      number_columns: finalNames.length,
      column_names: finalNames,
      column_types: finalTypes,
      check_header: 1,
      chunk_size: 4_194_304,
      delete_on_done: params.delete_on_done ?? true,
      blocking: params.blocking ?? false,
      job: jobJson(job.state),
      ...(params.blocking ? { rows: frame.rows } : {}),
    };
  }

  /** Starts a job that finishes on its second poll with `outcome`, then runs `onDone` once if it succeeded. */
  startJob(description: string, dest: string, destType: JobState["destType"], outcome: JobRecord["outcome"], onDone?: () => void): JobRecord {
    const key = `$03017f00000132d4ffffffff$_${this.random.hex(24)}`;
    const record: JobRecord = { state: { key, description, dest, destType, status: "RUNNING", progress: 0, startTime: this.now(), msec: 0 }, polls: 0, outcome, onDone };
    this.jobs.set(key, record);
    return record;
  }

  /** Polls a job: RUNNING the first time, its outcome from then on. */
  pollJob(key: string) {
    const job = this.jobs.get(key);
    if (!job) throw new H2oError(404, `Job is missing: ${key}`);
    job.polls++;
    if (job.polls === 1 && job.state.status === "RUNNING") job.state.progress = 0.5;
    else this.finish(job);
    return { __meta: meta("JobsV3", "Jobs"), job_id: null, jobs: [jobJson(job.state)] };
  }

  /** A frame, or a 404. */
  frame(key: string | undefined, argument = "frame_id"): Frame {
    const frame = key ? this.frames.get(key) : undefined;
    if (!frame) throw new H2oError(404, `Object '${key ?? ""}' not found for argument: ${argument}`);
    return frame;
  }

  /** A model, or a 404. */
  model(key: string | undefined, argument = "model_id"): H2oModel {
    const model = key ? this.models.get(key) : undefined;
    if (!model) throw new H2oError(404, `Object '${key ?? ""}' not found for argument: ${argument}`);
    return model;
  }

  private finish(job: JobRecord): void {
    if (job.state.status !== "RUNNING") return;
    job.state.status = job.outcome.status;
    job.state.progress = 1;
    job.state.msec = Math.max(1, this.now() - job.state.startTime);
    if (job.outcome.status === "FAILED") job.state.exception = job.outcome.exception;
    else job.onDone?.();
  }

  private readSources(sources: string[], checkHeader: number): { names: string[]; types: ParseType[]; rows: string[][] } {
    if (sources.length === 0) throw new H2oError(412, "Illegal argument: source_frames of function: ParseSetup: source_frames is required");
    let names: string[] | null = null;
    const rows: string[][] = [];
    for (const source of sources) {
      const raw = this.raw.get(source);
      if (!raw) throw new H2oError(404, `Object '${source}' not found for argument: source_frames`);
      const parsed = parseCsv(raw.text);
      const first = parsed[0] ?? [];
      const hasHeader = checkHeader === 1 || (checkHeader === 0 && first.length > 0 && first.every((f) => !Number.isFinite(Number(f)) || f === ""));
      if (hasHeader) {
        names ??= first;
        rows.push(...parsed.slice(1));
      } else {
        names ??= first.map((_, i) => `C${i + 1}`);
        rows.push(...parsed);
      }
    }
    const finalNames = names ?? [];
    return { names: finalNames, types: guessTypes(rows, finalNames.length), rows };
  }
}

/** H2O's destination name for a raw file: its base name without extension, plus ".hex". */
export function hexName(source: string): string {
  const base = basename(source).replace(/\.[^.]*$/, "");
  return `${base.replace(/[^A-Za-z0-9_]/g, "_")}.hex`;
}

/** Reads an H2O list parameter: `["a","b"]`, `[a,b]` or a single value. */
export function parseH2oList(value: string | undefined): string[] {
  if (value === undefined) return [];
  const text = value.trim();
  if (!text.startsWith("[")) return text ? [unquote(text)] : [];
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) return parsed.map(String);
  } catch {
    // not JSON: [a,b]
  }
  return text
    .slice(1, -1)
    .split(",")
    .map((s) => unquote(s.trim()))
    .filter(Boolean);
}

function unquote(text: string): string {
  return /^(["']).*\1$/.test(text) ? text.slice(1, -1) : text;
}
