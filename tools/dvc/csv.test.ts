import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCsv, parseCsv } from "./csv.js";

describe("csv", () => {
  it("reads quoted fields with commas, quotes and line breaks", () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""","line1\nline2"\n1,,3';
    expect(parseCsv(text)).toEqual([
      ["a", "b", "c"],
      ["x, y", 'say "hi"', "line1\nline2"],
      ["1", "", "3"],
    ]);
  });

  it("quotes only the fields that need it", () => {
    expect(formatCsv([["plain", "with,comma", 'with"quote', "with\nbreak", ""]])).toBe('plain,"with,comma","with""quote","with\nbreak",\n');
  });

  it("keeps an empty quoted last field", () => {
    expect(parseCsv('a,""\n')).toEqual([["a", ""]]);
  });

  it("rejects an unterminated quote and text after a closing quote", () => {
    expect(() => parseCsv('a,"open\n')).toThrow(/never closes/);
    expect(() => parseCsv('"a"b,c\n')).toThrow(/after a closing quote/);
  });

  it("round-trips any records", () => {
    const field = fc.string({ unit: fc.constantFrom("a", "b", ",", '"', "\n", "\r", " ", "é") });
    const records = fc.array(fc.array(field, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(records, (r) => {
        expect(parseCsv(formatCsv(r))).toEqual(r);
      }),
    );
  });
});
