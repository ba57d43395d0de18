import { describe, expect, it } from "vitest";
import { canonicalJson, hashCanonical } from "./canonical-json.js";

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
});
