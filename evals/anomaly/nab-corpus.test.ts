import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { loadNabCorpus } from "./nab-corpus.js";
import { NabCorpusError } from "./nab-csv.js";
import { NAB_PROFILES } from "./nab-score.js";
import { INCLUDED_NAB_FOLDER, nabCsv, nabTime, writeNabFolder } from "./test-support.js";

const ramp = Array.from({ length: 40 }, (_, i) => i);

async function refusal(spec: Parameters<typeof writeNabFolder>[0]): Promise<{ message: string; details: Record<string, unknown> }> {
  const error: unknown = await loadNabCorpus(await writeNabFolder(spec)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NabCorpusError);
  return { message: (error as NabCorpusError).message, details: (error as NabCorpusError).details };
}

describe("loadNabCorpus", () => {
  it("reads the included subset: 11 files, 15 windows resolved to rows, NAB's profiles", async () => {
    const corpus = await loadNabCorpus(INCLUDED_NAB_FOLDER);
    expect(corpus.series).toHaveLength(11);
    expect(corpus.unlabelled).toEqual([]);
    expect(corpus.series.reduce((n, s) => n + s.windows.length, 0)).toBe(15);
    expect(corpus.profiles).toEqual(NAB_PROFILES);
    const taxi = corpus.series.find((s) => s.key === "realKnownCause/nyc_taxi.csv")!;
    expect(taxi.values).toHaveLength(10320);
    const first = taxi.windows[0]!;
    expect(taxi.timestamps[first.startIndex]!.toISOString()).toBe("2014-10-30T15:30:00.000Z");
    expect(taxi.timestamps[first.endIndex]!.toISOString()).toBe("2014-11-03T22:30:00.000Z");
  });

  it("resolves a window edge on a repeated timestamp to its first row, where NAB's sweeper enters and leaves", async () => {
    const csv = "timestamp,value\n2014-03-09 02:55:00,1\n2014-03-09 03:00:00,2\n2014-03-09 03:00:00,3\n2014-03-09 03:05:00,4\n";
    const folder = await writeNabFolder({ data: { "a/x.csv": csv }, windows: { "a/x.csv": [["2014-03-09 03:00:00.000000", "2014-03-09 03:05:00.000000"]] } });
    const [series] = (await loadNabCorpus(folder)).series;
    expect(series!.windows.map((w) => [w.startIndex, w.endIndex])).toEqual([[1, 3]]);
  });

  it("leaves out data files the label file does not list and says which", async () => {
    const folder = await writeNabFolder({ data: { "a/x.csv": nabCsv(ramp), "b/y.csv": nabCsv(ramp) }, windows: { "a/x.csv": [] } });
    const corpus = await loadNabCorpus(folder);
    expect(corpus.series.map((s) => s.key)).toEqual(["a/x.csv"]);
    expect(corpus.unlabelled).toEqual(["b/y.csv"]);
  });

  it("refuses a label key without a data file", async () => {
    const r = await refusal({ data: { "a/x.csv": nabCsv(ramp) }, windows: { "a/x.csv": [], "a/missing.csv": [] } });
    expect(r.message).toBe('labels/combined_windows.json: "a/missing.csv" has no data file data/a/missing.csv');
  });

  it("refuses a window whose timestamps do not parse, naming the key, the window and the edge", async () => {
    const r = await refusal({ data: { "a/x.csv": nabCsv(ramp) }, windows: { "a/x.csv": [[nabTime(2), nabTime(4)], [nabTime(10), "soon"]] } });
    expect(r.message).toBe('labels/combined_windows.json: "a/x.csv" window 2: end "soon" is not a timestamp');
    expect(r.details).toEqual({ file: "labels/combined_windows.json", field: "a/x.csv[1].end" });
  });

  it("refuses a window edge that is no row of the file, and windows that overlap or run backwards", async () => {
    const data = { "a/x.csv": nabCsv(ramp) };
    expect((await refusal({ data, windows: { "a/x.csv": [["2014-04-01 00:01:00", nabTime(4)]] } })).message).toBe(
      'labels/combined_windows.json: "a/x.csv" window 1: start "2014-04-01 00:01:00" is not a timestamp of data/a/x.csv',
    );
    expect((await refusal({ data, windows: { "a/x.csv": [[nabTime(2), nabTime(6)], [nabTime(5), nabTime(8)]] } })).message).toMatch(/window 2 starts before window 1 ends/);
    expect((await refusal({ data, windows: { "a/x.csv": [[nabTime(6), nabTime(2)]] } })).message).toMatch(/window 1: ends before it starts/);
    expect((await refusal({ data, windows: { "a/x.csv": [[nabTime(2)]] } })).message).toMatch(/window 1 is not a \[start, end\] pair/);
  });

  it("refuses a CSV row that does not parse, naming the file and line", async () => {
    const r = await refusal({ data: { "a/x.csv": nabCsv(ramp).replace("2014-04-01 00:15:00,3", "2014-04-01 00:15:00,three") }, windows: { "a/x.csv": [] } });
    expect(r.message).toBe('data/a/x.csv:5: value "three" is not a finite number');
  });

  it("refuses a folder without data/ or a label file, and a label file that is not JSON", async () => {
    expect((await refusal({ data: {}, windows: {} })).message).toMatch(/no data\/ folder/);
    const notJson = await writeNabFolder({ data: { "a/x.csv": nabCsv(ramp) }, windows: {} });
    await writeFile(`${notJson}/labels/combined_windows.json`, "{ nope");
    await expect(loadNabCorpus(notJson)).rejects.toThrow(/^labels\/combined_windows\.json: not valid JSON/);
  });

  it("reads the folder's profiles and refuses one without numeric weights", async () => {
    const custom = { standard: { CostMatrix: { tpWeight: 1, fpWeight: 0.5, fnWeight: 3, tnWeight: 1 } } };
    const corpus = await loadNabCorpus(await writeNabFolder({ data: { "a/x.csv": nabCsv(ramp) }, windows: { "a/x.csv": [] }, profiles: custom }));
    expect(corpus.profiles).toEqual({ standard: { tpWeight: 1, fpWeight: 0.5, fnWeight: 3 } });
    const r = await refusal({ data: { "a/x.csv": nabCsv(ramp) }, windows: { "a/x.csv": [] }, profiles: { standard: { CostMatrix: { tpWeight: 1, fpWeight: "x", fnWeight: 1 } } } });
    expect(r.message).toBe('config/profiles.json: profile "standard" has no numeric CostMatrix.fpWeight');
  });
});
