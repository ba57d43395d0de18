import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, hashCanonical } from "./canonical-json.js";

/**
 * The encoder as first written (arrays of entries, sorted with `<`, joined): audit chains and
 * approval hashes written by it must keep verifying, so every later encoder must give its bytes.
 */
function firstEncoder(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string" || typeof value === "number") return JSON.stringify(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : firstEncoder(v))).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== "function")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${firstEncoder(v)}`).join(",")}}`;
}

describe("canonicalJson", () => {
  it("sorts keys at every depth and drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
  });
  it("gives equal hashes for equal values whatever the key order", () => {
    expect(hashCanonical({ tool: "x", input: { a: 1, b: [1, 2] } })).toBe(hashCanonical({ input: { b: [1, 2], a: 1 }, tool: "x" }));
    expect(hashCanonical({ a: 1 })).not.toBe(hashCanonical({ a: 2 }));
  });
  it("refuses non-finite numbers and cycles", () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/non-finite/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cyclic/);
  });
  it("encodes dates as ISO strings and undefined array items as null", () => {
    expect(canonicalJson([new Date("2026-01-02T03:04:05.000Z"), undefined])).toBe('["2026-01-02T03:04:05.000Z",null]');
  });
  it("encodes every value exactly as the first encoder did, so old chains keep verifying", () => {
    const key = fc.oneof(fc.string(), fc.constantFrom("10", "9", "é", "e\u0301", "\ud83d\ude00", "Z", "a", "_", "data"));
    const value = fc.letrec((tie) => ({
      any: fc.oneof({ depthSize: "small" }, fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.string(), tie("array"), tie("record")),
      array: fc.array(fc.oneof(tie("any"), fc.constant(undefined)), { maxLength: 5 }),
      record: fc.dictionary(key, fc.oneof(tie("any"), fc.constant(undefined)), { maxKeys: 6 }),
    })).any;
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(firstEncoder(v));
      }),
      { numRuns: 2000 },
    );
  });
  it("hashes a known value to a fixed digest", () => {
    expect(hashCanonical({ seq: 1, data: { b: [1, "x", null, true], a: { "10": 1, "9": 2 } }, kind: "policy_decision" })).toBe(
      "c74f965f165d7df102ee6ab4bfc69cc915fb13f4a34ca0282813704a11402074",
    );
  });
});
