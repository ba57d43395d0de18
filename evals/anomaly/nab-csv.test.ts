import { describe, expect, it } from "vitest";
import { NabCorpusError, parseNabCsv, parseNabTimestamp } from "./nab-csv.js";

describe("parseNabTimestamp", () => {
  it("reads data-file and label timestamps as the same UTC instant", () => {
    expect(parseNabTimestamp("2014-04-10 07:15:00")?.toISOString()).toBe("2014-04-10T07:15:00.000Z");
    expect(parseNabTimestamp("2014-04-10 07:15:00.000000")?.getTime()).toBe(parseNabTimestamp("2014-04-10 07:15:00")?.getTime());
    expect(parseNabTimestamp("2014-04-10T07:15")?.toISOString()).toBe("2014-04-10T07:15:00.000Z");
  });

  it("refuses text that is not a date and time, or a date that does not exist", () => {
    for (const text of ["", "yesterday", "2014-04-10", "2014-02-30 00:00:00", "2014-04-10 25:00:00", "1396000000"]) {
      expect(parseNabTimestamp(text)).toBeUndefined();
    }
  });
});

describe("parseNabCsv", () => {
  it("reads rows in order and allows a repeated timestamp, as NAB's own files have", () => {
    const rows = parseNabCsv("timestamp,value\r\n2014-03-09 03:00:00,1.5\n2014-03-09 03:00:00,2\n\n2014-03-09 03:05:00,-3e2\n", "data/a/b.csv");
    expect(rows.values).toEqual([1.5, 2, -300]);
    expect(rows.timestamps.map((t) => t.toISOString())).toEqual(["2014-03-09T03:00:00.000Z", "2014-03-09T03:00:00.000Z", "2014-03-09T03:05:00.000Z"]);
  });

  const refused = (text: string) => {
    try {
      parseNabCsv(text, "data/a/b.csv");
    } catch (error) {
      expect(error).toBeInstanceOf(NabCorpusError);
      return { message: (error as NabCorpusError).message, details: (error as NabCorpusError).details };
    }
    throw new Error("parsed without an error");
  };

  it("names the file, line and field of a row that does not parse", () => {
    const head = "timestamp,value\n2014-01-01 00:00:00,1\n";
    expect(refused(`${head}2014-01-01 00:05:00,abc\n`)).toEqual({ message: 'data/a/b.csv:3: value "abc" is not a finite number', details: { file: "data/a/b.csv", line: 3, field: "value" } });
    expect(refused(`${head}2014-01-01 00:05:00,\n`).details).toEqual({ file: "data/a/b.csv", line: 3, field: "value" });
    expect(refused(`${head}01/01/2014 00:05,2\n`).message).toBe('data/a/b.csv:3: timestamp "01/01/2014 00:05" is not a date and time (YYYY-MM-DD HH:MM:SS)');
    expect(refused(`${head}2014-01-01 00:05:00,2,3\n`).message).toBe("data/a/b.csv:3: 3 fields, expected 2 (timestamp,value)");
    expect(refused(`${head}2013-12-31 23:55:00,2\n`).details).toEqual({ file: "data/a/b.csv", line: 3, field: "timestamp" });
  });

  it("refuses a file without the NAB header or without rows", () => {
    expect(refused("time,value\n2014-01-01 00:00:00,1\n").details).toEqual({ file: "data/a/b.csv", line: 1, field: "header" });
    expect(refused("timestamp,value\n").message).toBe("data/a/b.csv: no data rows after the header");
  });
});
