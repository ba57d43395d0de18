import { AutopilotError } from "../../core/index.js";

/** A folder, file or label in the NAB layout that cannot be read; `details` names the file, line or field. */
export class NabCorpusError extends AutopilotError {
  override name = "NabCorpusError";

  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super("nab_corpus_invalid", message, { details, cause });
  }
}

/** The rows of one NAB data file: timestamps and values in file order. */
export interface NabRows {
  timestamps: Date[];
  values: number[];
}

// NAB writes "2014-04-10 07:15:00" in data files and "2014-04-10 07:15:00.000000" in labels; both
// are naive times that NAB compares as they are, so they are read as UTC to keep them comparable.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/;

/** Reads a NAB timestamp ("YYYY-MM-DD HH:MM[:SS[.ffffff]]", a space or a T between) as UTC; undefined when it is not one. */
export function parseNabTimestamp(text: string): Date | undefined {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((p) => Number(p ?? "0")) as [number, number, number, number, number, number];
  const ms = Math.floor(Number(`0.${m[7] ?? "0"}`) * 1000);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  // Date.UTC rolls 2014-02-30 over to March; a calendar date that does not exist is not a timestamp.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  return date;
}

/**
 * Parses a NAB data file: a `timestamp,value` header, then one row per line with a timestamp and a
 * finite number. Timestamps may repeat (NAB's own files do, around a clock change) but never go back.
 * Throws a NabCorpusError naming `file`, the line and the field on the first row that does not parse.
 */
export function parseNabCsv(text: string, file: string): NabRows {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").replace(/^\uFEFF/, "").trim();
  if (header !== "timestamp,value") {
    throw new NabCorpusError(`${file}:1: the header is "${header}", expected "timestamp,value"`, { file, line: 1, field: "header" });
  }
  const timestamps: Date[] = [];
  const values: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const at = { file, line: i + 1 };
    const fields = line.split(",");
    if (fields.length !== 2) {
      throw new NabCorpusError(`${file}:${i + 1}: ${fields.length} fields, expected 2 (timestamp,value)`, { ...at, field: "row" });
    }
    const [rawTime, rawValue] = fields as [string, string];
    const timestamp = parseNabTimestamp(rawTime);
    if (!timestamp) {
      throw new NabCorpusError(`${file}:${i + 1}: timestamp "${rawTime}" is not a date and time (YYYY-MM-DD HH:MM:SS)`, { ...at, field: "timestamp" });
    }
    const value = rawValue.trim() === "" ? Number.NaN : Number(rawValue);
    if (!Number.isFinite(value)) {
      throw new NabCorpusError(`${file}:${i + 1}: value "${rawValue}" is not a finite number`, { ...at, field: "value" });
    }
    const previous = timestamps[timestamps.length - 1];
    if (previous && timestamp.getTime() < previous.getTime()) {
      throw new NabCorpusError(`${file}:${i + 1}: timestamp "${rawTime}" is earlier than the row before it`, { ...at, field: "timestamp" });
    }
    timestamps.push(timestamp);
    values.push(value);
  }
  if (values.length === 0) throw new NabCorpusError(`${file}: no data rows after the header`, { file, field: "row" });
  return { timestamps, values };
}
