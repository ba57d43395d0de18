import { readFile } from "node:fs/promises";
import { AutopilotError } from "../core/index.js";

/**
 * Parses RFC 4180 CSV: fields may be quoted, quoted fields may hold commas, line breaks and `""`
 * for a quote. Records end with CRLF or LF; a final line break is optional; blank lines are skipped.
 */
export function parseCsv(text: string, separator = ","): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let i = 0;
  let line = 1;
  let fieldStarted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"' && field === "" && !fieldStarted) {
      const start = line;
      i++;
      for (;;) {
        if (i >= text.length) throw new AutopilotError("csv_invalid", `CSV: quoted field opened on line ${start} never closes`);
        const q = text[i]!;
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === "\n") line++;
        field += q;
        i++;
      }
      fieldStarted = true;
      const next = text[i];
      if (next !== undefined && next !== separator && next !== "\n" && next !== "\r") {
        throw new AutopilotError("csv_invalid", `CSV line ${line}: text after a closing quote`);
      }
      continue;
    }
    if (ch === separator) {
      record.push(field);
      field = "";
      fieldStarted = false;
      i++;
    } else if (ch === "\n" || ch === "\r") {
      record.push(field);
      if (record.length > 1 || fieldStarted) records.push(record);
      record = [];
      field = "";
      fieldStarted = false;
      i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
    } else {
      field += ch;
      fieldStarted = true;
      i++;
    }
  }
  if (fieldStarted || field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** Formats records as CSV, quoting fields that hold a comma, quote or line break; records end with LF. */
export function formatCsv(records: readonly (readonly string[])[]): string {
  return records.map((r) => r.map(formatField).join(",") + "\n").join("");
}

function formatField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Reads the named columns of a CSV file with a header line, in row order. */
export async function readCsvColumns(file: string, columns: readonly string[]): Promise<Record<string, string[]>> {
  const [header, ...rows] = parseCsv(await readFile(file, "utf8"));
  const index = columns.map((c) => header?.indexOf(c) ?? -1);
  const missing = columns.filter((_, i) => index[i]! < 0);
  if (!header || missing.length > 0) {
    throw new AutopilotError("csv_columns_missing", `${file} has no column ${missing.join(", ")}`, { details: { file, missing } });
  }
  return Object.fromEntries(columns.map((c, i) => [c, rows.map((r) => r[index[i]!] ?? "")]));
}
