import { createHash } from "node:crypto";

/**
 * A canonical JSON encoding: object keys sorted by code point, no insignificant white space,
 * `undefined` members dropped, non-finite numbers refused. Two equal values always encode to the
 * same bytes, which is what the audit chain and approval bindings hash.
 */
export function canonicalJson(value: unknown): string {
  // One string grown in place (V8 concatenates without copying) and keys sorted once per object:
  // the audit trail encodes every decision's request with this, so it is kept lean.
  const seen = new Set<object>();
  let out = "";
  const write = (v: unknown): void => {
    if (v === null) {
      out += "null";
      return;
    }
    switch (typeof v) {
      case "string":
        out += JSON.stringify(v);
        return;
      case "boolean":
        out += v ? "true" : "false";
        return;
      case "number":
        if (!Number.isFinite(v)) throw new TypeError(`canonicalJson: non-finite number ${v}`);
        out += JSON.stringify(v);
        return;
      case "bigint":
        out += JSON.stringify(v.toString());
        return;
      case "object":
        break;
      default:
        throw new TypeError(`canonicalJson: cannot encode a ${typeof v}`);
    }
    const obj = v as object;
    if (seen.has(obj)) throw new TypeError("canonicalJson: cyclic value");
    seen.add(obj);
    if (obj instanceof Date) {
      out += JSON.stringify(obj.toISOString());
    } else if (Array.isArray(obj)) {
      out += "[";
      for (let i = 0; i < obj.length; i++) {
        if (i > 0) out += ",";
        const item: unknown = obj[i];
        if (item === undefined) out += "null";
        else write(item);
      }
      out += "]";
    } else {
      const record = obj as Record<string, unknown>;
      // Default sort orders strings by UTF-16 code unit, as `<` does.
      const keys = Object.keys(record).sort();
      out += "{";
      let first = true;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined || typeof member === "function") continue;
        if (!first) out += ",";
        first = false;
        out += JSON.stringify(key);
        out += ":";
        write(member);
      }
      out += "}";
    }
    seen.delete(obj);
  };
  write(value);
  return out;
}

/** Hex SHA-256 of a string or of a value's canonical JSON. */
export function sha256Hex(input: string | Uint8Array): string {
  return createHash("sha256").update(input).digest("hex");
}

/** Hex SHA-256 of the canonical JSON of `value`. */
export function hashCanonical(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
