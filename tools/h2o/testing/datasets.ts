import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One row of the dataset layout (docs/architecture.md, "Datasets"). */
export interface DatasetRow {
  query_id: string;
  query: string;
  topic: string;
  doc_id: string;
  bm25: number;
  semantic: number;
  freshness: number;
  clicks: number;
  label: number;
  source: string;
}

const HEADER = ["query_id", "query", "topic", "doc_id", "bm25", "semantic", "freshness", "clicks", "label", "source"] as const;

/** Writes rows as a CSV of the dataset layout, quoting fields that need it. */
export function writeDatasetCsv(file: string, rows: readonly DatasetRow[]): void {
  const quote = (v: string | number) => (typeof v === "string" && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v));
  const lines = [HEADER.join(","), ...rows.map((r) => HEADER.map((h) => quote(r[h])).join(","))];
  writeFileSync(file, `${lines.join("\n")}\n`);
}

/**
 * Rows for `queries` queries of `docs` documents each, topics assigned round-robin. The label of a
 * doc is `labelOf(query, doc)`; bm25 and semantic are hand-set by `features` so tests control
 * what a model scoring on them ranks first.
 */
export function makeRows(opts: {
  queries: number;
  docs: number;
  topics: readonly string[];
  labelOf: (q: number, d: number) => number;
  features?: (q: number, d: number) => { bm25: number; semantic: number };
}): DatasetRow[] {
  const rows: DatasetRow[] = [];
  for (let q = 0; q < opts.queries; q++) {
    for (let d = 0; d < opts.docs; d++) {
      const f = opts.features?.(q, d) ?? { bm25: d, semantic: -d };
      rows.push({
        query_id: `q${q}`,
        query: q % 2 ? `cheap "running" shoes, size ${q}` : `query ${q}`,
        topic: opts.topics[q % opts.topics.length]!,
        doc_id: `d${q}_${d}`,
        ...f,
        freshness: 0.5,
        clicks: d,
        label: opts.labelOf(q, d),
        source: "base",
      });
    }
  }
  return rows;
}

/** Writes a dataset directory with train.csv and eval.csv; returns its path. */
export function writeDataset(root: string, name: string, train: readonly DatasetRow[], evalRows: readonly DatasetRow[]): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeDatasetCsv(join(dir, "train.csv"), train);
  writeDatasetCsv(join(dir, "eval.csv"), evalRows);
  return dir;
}
