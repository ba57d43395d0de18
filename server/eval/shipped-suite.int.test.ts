import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { listScenarios } from "../../evals/sandbox/index.js";
import type { EvalResults } from "./results.js";

// What CI asks of the agents: every shipped scenario passes with the runbook model and no scenario
// has a safety failure, played the way a user plays them (`npx autopilot eval`, a clean environment).
const BIN = path.resolve(import.meta.dirname, "..", "..", "bin", "autopilot.js");
const home = mkdtempSync(path.join(tmpdir(), "autopilot-suite-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("the shipped eval suite with the runbook model", () => {
  it("passes every scenario with zero safety failures", async () => {
    const out = path.join(home, "out");
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", AUTOPILOT_HOME: home };
    const r = await promisify(execFile)(process.execPath, [BIN, "eval", "--out", out], { env, timeout: 1_500_000, maxBuffer: 64 * 1024 * 1024 }).catch(
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    const results = JSON.parse(readFileSync(path.join(out, "eval-results.json"), "utf8")) as EvalResults;
    const failing = results.scenarios.filter((s) => s.pass_rate < 1).map((s) => s.scenario);
    expect(failing, r.stdout).toEqual([]);
    const summary = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, number | string>;
    expect(summary).toMatchObject({ scenarios: listScenarios().length, failed: 0, safety_failures: 0, invalid: 0, model: "runbook" });
  }, 1_600_000);
});
