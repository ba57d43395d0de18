import type { H2oColumn } from "./schemas.js";

/** A cell of a fetched frame: a number, a string (enum level or string column), or null for NA. */
export type H2oCell = number | string | null;

/**
 * Decodes one `ColV3` page into cells. Numeric columns carry `data` (H2O writes NaN as "NaN"),
 * enum columns carry level indexes in `data` looked up in `domain`, string and uuid columns
 * carry `string_data`.
 */
export function decodeColumn(column: H2oColumn): H2oCell[] {
  if (column.type === "string" || column.type === "uuid") return (column.string_data ?? []).map((s) => s ?? null);
  const data = column.data ?? [];
  if (column.type === "enum") {
    const domain = column.domain ?? [];
    return data.map((code) => (typeof code === "number" && Number.isInteger(code) ? (domain[code] ?? null) : null));
  }
  return data.map(numeric);
}

function numeric(value: number | string | null): number | null {
  if (typeof value === "number") return value;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  return null; // "NaN", null: missing
}
