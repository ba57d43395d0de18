/** Column types as ParseSetup names them. */
export type ParseType = "Numeric" | "Enum" | "String";

/** A parsed column. Enum data are indices into the sorted domain; string columns keep their text. */
export interface Column {
  label: string;
  type: "int" | "real" | "enum" | "string";
  /** Numbers (int/real), domain indices (enum); null for string columns. NaN marks a missing value. */
  data: number[] | null;
  strings: (string | null)[] | null;
  domain: string[] | null;
}

/** An H2O frame held in memory. */
export interface Frame {
  key: string;
  columns: Column[];
  rows: number;
}

const NA = new Set(["", "NA", "na", "N/A"]);

/** Guesses column types like H2O's preview parser: mostly numbers is Numeric, almost all distinct is String, else Enum. */
export function guessTypes(rows: readonly string[][], columns: number): ParseType[] {
  return Array.from({ length: columns }, (_, c) => {
    let numbers = 0;
    let strings = 0;
    const distinct = new Set<string>();
    for (const row of rows) {
      const value = row[c] ?? "";
      if (NA.has(value)) continue;
      if (Number.isFinite(Number(value))) numbers++;
      else {
        strings++;
        distinct.add(value);
      }
    }
    if (numbers >= strings) return "Numeric";
    if (distinct.size >= 0.95 * strings) return "String";
    return "Enum";
  });
}

/** Builds a frame from data rows with the given column names and types. */
export function buildFrame(key: string, names: readonly string[], types: readonly ParseType[], rows: readonly string[][]): Frame {
  const columns = names.map((label, c): Column => {
    const raw = rows.map((row) => row[c] ?? "");
    const type = types[c] ?? "Numeric";
    if (type === "String") return { label, type: "string", data: null, strings: raw.map((v) => (NA.has(v) ? null : v)), domain: null };
    if (type === "Enum") {
      const domain = [...new Set(raw.filter((v) => !NA.has(v)))].sort();
      const index = new Map(domain.map((v, i) => [v, i]));
      return { label, type: "enum", data: raw.map((v) => index.get(v) ?? NaN), strings: null, domain };
    }
    const data = raw.map((v) => (NA.has(v) ? NaN : Number(v)));
    const isInt = data.every((v) => Number.isNaN(v) || Number.isInteger(v));
    return { label, type: isInt ? "int" : "real", data: data.map((v) => (Number.isFinite(v) ? v : NaN)), strings: null, domain: null };
  });
  return { key, columns, rows: rows.length };
}

/** Builds a frame of numeric columns. */
export function numericFrame(key: string, columns: Record<string, number[]>): Frame {
  const list = Object.entries(columns).map(([label, data]): Column => ({ label, type: "real", data, strings: null, domain: null }));
  return { key, columns: list, rows: list[0]?.data?.length ?? 0 };
}

/** The value of a cell as text or number, null when missing. */
export function cell(column: Column, row: number): string | number | null {
  if (column.type === "string") return column.strings?.[row] ?? null;
  const value = column.data?.[row];
  if (value === undefined || Number.isNaN(value)) return null;
  return column.type === "enum" ? (column.domain?.[value] ?? null) : value;
}

/** A column's values as text (missing as ""), for grouping by query or topic. */
export function textValues(frame: Frame, label: string): string[] | null {
  const column = frame.columns.find((c) => c.label === label);
  if (!column) return null;
  return Array.from({ length: frame.rows }, (_, i) => {
    const value = cell(column, i);
    return value === null ? "" : String(value);
  });
}

/** A column's values as numbers (missing or non-numeric as NaN). */
export function numberValues(frame: Frame, label: string): number[] | null {
  const column = frame.columns.find((c) => c.label === label);
  if (!column) return null;
  return Array.from({ length: frame.rows }, (_, i) => {
    const value = cell(column, i);
    return typeof value === "number" ? value : value === null ? NaN : Number(value);
  });
}

/** The FrameV3 JSON of a frame window, as `GET /3/Frames/{id}` returns it. */
export function frameJson(frame: Frame, rowOffset: number, rowCount: number) {
  const offset = Math.max(0, Math.min(rowOffset, frame.rows));
  const count = rowCount < 0 ? frame.rows - offset : Math.min(rowCount === 0 ? 100 : rowCount, frame.rows - offset);
  return {
    __meta: meta("FrameV3", "Frame"),
    frame_id: frameKey(frame.key),
    byte_size: frame.rows * frame.columns.length * 8,
    is_text: false,
    row_offset: offset,
    row_count: count,
    column_offset: 0,
    column_count: frame.columns.length,
    total_column_count: frame.columns.length,
    checksum: 0,
    rows: frame.rows,
    num_columns: frame.columns.length,
    default_percentiles: [0.001, 0.01, 0.1, 0.2, 0.25, 0.3, 1 / 3, 0.4, 0.5, 0.6, 2 / 3, 0.7, 0.75, 0.8, 0.9, 0.99, 0.999],
    columns: frame.columns.map((column) => columnJson(column, offset, count)),
    compatible_models: null,
    chunk_summary: null,
    distribution_summary: null,
  };
}

function columnJson(column: Column, offset: number, count: number) {
  const numeric = column.type === "int" || column.type === "real";
  const present = numeric ? (column.data ?? []).filter((v) => !Number.isNaN(v)) : [];
  const mean = present.length ? present.reduce((a, b) => a + b, 0) / present.length : NaN;
  const sigma = present.length > 1 ? Math.sqrt(present.reduce((a, b) => a + (b - mean) ** 2, 0) / (present.length - 1)) : NaN;
  const missing = column.type === "string" ? (column.strings ?? []).filter((v) => v === null).length : (column.data ?? []).filter((v) => Number.isNaN(v)).length;
  return {
    __meta: meta("ColV3", "Vec"),
    label: column.label,
    missing_count: missing,
    zero_count: numeric ? present.filter((v) => v === 0).length : 0,
    positive_infinity_count: 0,
    negative_infinity_count: 0,
    mins: numeric && present.length ? [present.reduce((a, b) => Math.min(a, b))] : [],
    maxs: numeric && present.length ? [present.reduce((a, b) => Math.max(a, b))] : [],
    mean: h2oNumber(mean),
    sigma: h2oNumber(sigma),
    type: column.type,
    domain: column.domain,
    domain_cardinality: column.domain?.length ?? 0,
    data: column.data ? column.data.slice(offset, offset + count).map(h2oNumber) : null,
    string_data: column.strings ? column.strings.slice(offset, offset + count) : null,
    precision: -1,
    histogram_bins: null,
    histogram_base: 0,
    histogram_stride: 0,
    percentiles: null,
  };
}

/** H2O writes NaN as the string "NaN" in JSON. */
export function h2oNumber(value: number): number | string {
  return Number.isFinite(value) ? value : Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
}

/** The `__meta` block every H2O schema carries. */
export function meta(schemaName: string, schemaType: string) {
  return { schema_version: 3, schema_name: schemaName, schema_type: schemaType };
}

/** A frame key object. */
export function frameKey(name: string) {
  return { __meta: meta("FrameKeyV3", "Key<Frame>"), name, type: "Key<Frame>", URL: `/3/Frames/${name}` };
}
