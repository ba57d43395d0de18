import { formatCsv, parseCsv } from "../csv.js";
import { DvcError } from "./dvc-error.js";

/** The columns of a dataset's `train.csv` and `eval.csv`, in order. */
export const DATASET_COLUMNS = ["query_id", "query", "topic", "doc_id", "bm25", "semantic", "freshness", "clicks", "label", "source"] as const;

/** Where a row came from. */
export type RowSource = "base" | "augmented";

/** One (query, candidate document) pair with its features and graded relevance label (0-3). */
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
  source: RowSource;
}

/** Row counts per topic, split by source. */
export type TopicCounts = Record<string, { base: number; augmented: number }>;

const TOPIC = DATASET_COLUMNS.indexOf("topic");
const SOURCE = DATASET_COLUMNS.indexOf("source");
const LABEL = DATASET_COLUMNS.indexOf("label");

/** A row as CSV cells, numbers at fixed precision so the same row always gives the same bytes. */
export function rowToRecord(row: DatasetRow): string[] {
  return [
    row.query_id,
    row.query,
    row.topic,
    row.doc_id,
    row.bm25.toFixed(3),
    row.semantic.toFixed(4),
    row.freshness.toFixed(4),
    String(row.clicks),
    String(row.label),
    row.source,
  ];
}

/** A dataset file's text: the header, then the records. */
export function formatDatasetCsv(records: readonly (readonly string[])[]): string {
  return formatCsv([[...DATASET_COLUMNS], ...records]);
}

/**
 * The records of a dataset file as cells (kept as text, so rewriting them never changes a byte),
 * after checking the header, the width, the label and the source; `where` names the file in errors.
 */
export function parseDatasetCsv(text: string, where: string): string[][] {
  const [header, ...records] = parseCsv(text).filter((r) => !(r.length === 1 && r[0] === ""));
  if (!header || header.join(",") !== DATASET_COLUMNS.join(",")) {
    throw new DvcError("dataset_invalid", `${where}: header must be ${DATASET_COLUMNS.join(",")}`);
  }
  records.forEach((record, i) => {
    const problem =
      record.length !== DATASET_COLUMNS.length
        ? `has ${record.length} fields, expected ${DATASET_COLUMNS.length}`
        : !/^[0-3]$/.test(record[LABEL]!)
          ? `label "${record[LABEL]}" is not 0-3`
          : record[SOURCE] !== "base" && record[SOURCE] !== "augmented"
            ? `source "${record[SOURCE]}" is not base or augmented`
            : null;
    if (problem) throw new DvcError("dataset_invalid", `${where}: record ${i + 1} ${problem}`);
  });
  return records;
}

/** Row counts per topic and source, topics in name order. */
export function countByTopic(records: readonly (readonly string[])[]): TopicCounts {
  const counts: TopicCounts = {};
  for (const record of records) {
    const entry = (counts[record[TOPIC]!] ??= { base: 0, augmented: 0 });
    entry[record[SOURCE] as RowSource]++;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The distinct query texts of some records. */
export function queryTexts(records: readonly (readonly string[])[]): Set<string> {
  return new Set(records.map((r) => r[DATASET_COLUMNS.indexOf("query")]!));
}
