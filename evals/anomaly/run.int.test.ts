import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DetectorRunError, evaluateDetector } from "./evaluate.js";
import { createIsolationForestDetector } from "./isolation-forest-detector.js";
import { loadNabCorpus } from "./nab-corpus.js";
import { runNabEvaluation } from "./run-evaluation.js";
import { createOracleDetector, INCLUDED_NAB_FOLDER, nabCsv, nullDetector, writeNabFolder } from "./test-support.js";

const RUN = fileURLToPath(new URL("./run.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../../", import.meta.url));
const KEYS = ["artificialWithAnomaly/art_daily_jumpsup.csv", "realKnownCause/rogue_agent_key_hold.csv"];

/** Two files of the included subset, their windows, and one data file the labels do not list. */
async function smallFolder(edit: (data: Record<string, string>) => void = () => {}): Promise<string> {
  const all = JSON.parse(await readFile(join(INCLUDED_NAB_FOLDER, "labels", "combined_windows.json"), "utf8")) as Record<string, unknown>;
  const data: Record<string, string> = { "extra/unlisted.csv": nabCsv([1, 2, 3]) };
  for (const key of KEYS) data[key] = await readFile(join(INCLUDED_NAB_FOLDER, "data", key), "utf8");
  edit(data);
  return writeNabFolder({ data, windows: Object.fromEntries(KEYS.map((k) => [k, all[k]])) });
}

function runCommand(folder: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", RUN, folder], { cwd: REPO }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe("npm run eval:anomaly", () => {
  it("prints a row per file, says which file it left out, and ends with the summary JSON line", async () => {
    const { code, stdout, stderr } = await runCommand(await smallFolder());
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    const summary = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual(["files", "precision", "recall", "f1", "nab_score", "baseline_nab_score"]);
    expect(summary.files).toBe(2);
    for (const key of ["precision", "recall", "f1"] as const) {
      expect(summary[key]).toBeGreaterThanOrEqual(0);
      expect(summary[key]).toBeLessThanOrEqual(1);
    }
    expect(Number.isFinite(summary.nab_score)).toBe(true);
    expect(Number.isFinite(summary.baseline_nab_score)).toBe(true);
    // The 100-point scale has the perfect detector at the top.
    expect(summary.nab_score).toBeLessThanOrEqual(100);
    expect(summary.baseline_nab_score).toBeLessThanOrEqual(100);
    for (const key of KEYS) expect(lines.filter((l) => l.startsWith(`${key} `))).toHaveLength(1);
    expect(stdout).toContain("not evaluated (no entry in labels/combined_windows.json): extra/unlisted.csv");
  });

  it("refuses a broken CSV with exit code 1, naming the file and line", async () => {
    const folder = await smallFolder((data) => {
      data[KEYS[1]!] = data[KEYS[1]!]!.replace("2014-07-06 20:15:00,", "2014-07-06 20:15:00,oops");
    });
    const { code, stdout, stderr } = await runCommand(folder);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trim()).toBe('eval:anomaly: data/realKnownCause/rogue_agent_key_hold.csv:3: value "oops0.064295318" is not a finite number');
  });

  it("refuses a folder that is not in NAB's layout with exit code 1", async () => {
    const { code, stderr } = await runCommand(join(REPO, "docs"));
    expect(code).toBe(1);
    expect(stderr).toMatch(/no data\/ folder/);
  });
});

describe("runNabEvaluation", () => {
  it("scores an oracle 100 and a detector that flags nothing 0, as NAB normalises", async () => {
    const folder = await smallFolder();
    const corpus = await loadNabCorpus(folder);
    const lines: string[] = [];
    const summary = await runNabEvaluation(folder, { detector: createOracleDetector(corpus), baseline: nullDetector, write: (t) => lines.push(t) });
    expect(summary).toEqual({ files: 2, precision: 1, recall: 1, f1: 1, nab_score: 100, baseline_nab_score: 0 });
    expect(JSON.parse(lines[lines.length - 1]!)).toEqual(summary);
  });

  it("gives the oracle 100 and the null detector 0 under every NAB profile", async () => {
    const corpus = await loadNabCorpus(await smallFolder());
    const oracle = await evaluateDetector(corpus, createOracleDetector(corpus));
    const none = await evaluateDetector(corpus, nullDetector);
    for (const profile of ["standard", "reward_low_FP_rate", "reward_low_FN_rate"]) {
      expect(oracle.nabScores[profile]).toBeCloseTo(100, 10);
      expect(none.nabScores[profile]).toBe(0);
    }
    expect(none.counts).toEqual({ windows: 3, detectedWindows: 0, events: 0, eventsInWindow: 0 });
  });

  it("refuses a detector whose answer has the wrong length, naming it and the file", async () => {
    const corpus = await loadNabCorpus(await smallFolder());
    const short = { name: "short", detect: async () => ({ scores: [0], flagged: [false] }) };
    const error: unknown = await evaluateDetector(corpus, short).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DetectorRunError);
    expect((error as Error).message).toBe(`short on ${KEYS[0]}: 1 flagged, expected one per row (4032)`);
  });

  it("names the detector and the file when a detector fails, e.g. a file too short to train on", async () => {
    // 10 rows leave a probationary period of 1 row: the forest has one row to train on.
    const folder = await writeNabFolder({ data: { "a/tiny.csv": nabCsv([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) }, windows: { "a/tiny.csv": [] } });
    const error: unknown = await evaluateDetector(await loadNabCorpus(folder), createIsolationForestDetector()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DetectorRunError);
    expect((error as Error).message).toMatch(/^isolation-forest\(.*\) on a\/tiny\.csv: training needs at least 2 points, got 1$/);
  });
});
