import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCsv, readCsvColumns } from "./csv.js";

describe("parseCsv", () => {
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
