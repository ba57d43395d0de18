import { readFile } from "node:fs/promises";
import { AutopilotError } from "../../core/index.js";

/** Parses RFC 4180 CSV text (quoted fields, doubled quotes, CRLF or LF) into rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else {
      field += ch;
    }
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows.filter((r) => !(r.length === 1 && r[0] === ""));
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
