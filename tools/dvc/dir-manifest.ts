import { createHash } from "node:crypto";

/** One file of a directory output, as DVC lists it in a `.dir` manifest. */
export interface ManifestEntry {
  md5: string;
  /** POSIX path relative to the directory. */
  relpath: string;
}

const SHORT_ESCAPES: Record<number, string> = { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r" };

/**
 * A string as Python's `json.dumps` writes it with the default `ensure_ascii=True`: everything
 * outside printable ASCII (0x20-0x7e) is escaped, astral characters as surrogate pairs.
 */
export function pyJsonString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x22) out += '\\"';
    else if (code === 0x5c) out += "\\\\";
    else if (code >= 0x20 && code <= 0x7e) out += value[i];
    else out += SHORT_ESCAPES[code] ?? `\\u${code.toString(16).padStart(4, "0")}`;
  }
  return `${out}"`;
}

/** Orders strings by Unicode code point, as Python sorts `str` (JS `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const diff = left[i]!.codePointAt(0)! - right[i]!.codePointAt(0)!;
    if (diff !== 0) return diff;
  }
  return left.length - right.length;
}

/**
 * The bytes of a DVC 3 `.dir` manifest: entries sorted by relpath and serialized like Python's
 * `json.dumps(entries, sort_keys=True)` (separators ", " and ": "), UTF-8.
 */
export function dirManifest(entries: readonly ManifestEntry[]): string {
  const sorted = [...entries].sort((a, b) => compareCodePoints(a.relpath, b.relpath));
  const items = sorted.map((e) => `{"md5": ${pyJsonString(e.md5)}, "relpath": ${pyJsonString(e.relpath)}}`);
  return `[${items.join(", ")}]`;
}

/** The DVC 3 hash of a directory: md5 of its manifest plus ".dir". */
export function dirHash(manifest: string): string {
  return `${createHash("md5").update(manifest, "utf8").digest("hex")}.dir`;
}
