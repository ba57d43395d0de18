import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatCsv, parseCsv, readCsvColumns } from "./csv.js";

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

describe("csv from H2O and the sandbox", () => {
  it("handles quoted commas, doubled quotes, newlines in quotes and CRLF", () => {
    const text = 'query_id,query,label\r\nq1,"red, ""cheap"" shoes",3\r\nq2,"two\nlines",0\r\n';
    expect(parseCsv(text)).toEqual([
      ["query_id", "query", "label"],
      ["q1", 'red, "cheap" shoes', "3"],
      ["q2", "two\nlines", "0"],
    ]);
  });

  it("keeps empty fields and a last line without newline, and skips blank lines", () => {
    expect(parseCsv("a,b\n\n1,\n,2")).toEqual([["a", "b"], ["1", ""], ["", "2"]]);
  });
});

describe("readCsvColumns", () => {
  it("reads named columns in row order and names missing ones", async () => {
    const dir = mkdtempSync(join(tmpdir(), "csv-"));
    const file = join(dir, "eval.csv");
    writeFileSync(file, 'query_id,query,topic,label\nq1,"a, b",fashion,3\nq2,c,sports,0\n');
    expect(await readCsvColumns(file, ["label", "query_id"])).toEqual({ label: ["3", "0"], query_id: ["q1", "q2"] });
    await expect(readCsvColumns(file, ["doc_id"])).rejects.toMatchObject({ code: "csv_columns_missing" });
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("separators", () => {
  it("reads another separator, as H2O's ParseSetup allows", () => {
    expect(parseCsv('a;b\n"x;y";2\n', ";")).toEqual([["a", "b"], ["x;y", "2"]]);
  });
});
