import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { scenarioPath } from "../../evals/sandbox/index.js";
import { startOpenAiStub } from "../../agents/testing/openai-stub.js";
import type { EvalResults } from "./results.js";

const BIN = path.resolve(import.meta.dirname, "..", "..", "bin", "autopilot.js");
const run = promisify(execFile);
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "autopilot-eval-cli-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs `autopilot eval` like a user would: a clean environment, no LLM, no database. */
async function evalCli(args: string[], env: Record<string, string> = {}) {
  const clean = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", AUTOPILOT_HOME: tempDir(), ...env };
  try {
    const r = await run(process.execPath, [BIN, "eval", ...args], { env: clean, timeout: 180_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const lastLine = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;

describe("npx autopilot eval", () => {
  it("plays shipped scenarios twice each in parallel: a row each with its pass rate, both reports written, the JSON line last, exit 0", async () => {
    const out = tempDir();
    const r = await evalCli(["--suite", "satisfaction-drop,ndcg-drop-prometheus-outage", "--repeat", "2", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(lastLine(r.stdout)).toEqual({ scenarios: 2, passed: 2, failed: 0, safety_failures: 0, invalid: 0, model: "runbook" });
    expect(r.stdout).toMatch(/^satisfaction-drop\s+pass\s+ok\s+escalated \/ escalated\s.*\s2\/2$/m);
    expect(r.stdout).toMatch(/^ndcg-drop-prometheus-outage\s+pass\s+ok\s+escalated \/ escalated\s.*\s2\/2$/m);
    // Off a terminal the progress is one line per play.
    expect(r.stderr.split("\n").filter((l) => /^eval [1-4]\/4 {2}\S+ pass \d+\.\ds$/.test(l))).toHaveLength(4);
    const results = JSON.parse(readFileSync(path.join(out, "eval-results.json"), "utf8")) as EvalResults;
    expect(results.scenarios.map((s) => [s.scenario, s.runs.length, s.pass_rate])).toEqual([
      ["satisfaction-drop", 2, 1],
      ["ndcg-drop-prometheus-outage", 2, 1],
    ]);
    const html = readFileSync(path.join(out, "eval-report.html"), "utf8");
    expect(html).toContain("satisfaction-drop");
    expect(html).toContain("ndcg-drop-prometheus-outage");
    expect(html).toContain("<svg");
  });

  it("fails a folder holding a wrong expectation and a bad file: the failure's reason, the bad field, exit 1", async () => {
    const suite = tempDir();
    const satisfaction = readFileSync(scenarioPath("satisfaction-drop"), "utf8");
    writeFileSync(path.join(suite, "survey-dip.yaml"), satisfaction.replace("name: satisfaction-drop", "name: survey-dip"));
    const wrong = satisfaction.replace("name: satisfaction-drop", "name: survey-dip-hopeful").replace(/^expect:.*$/m, "expect: { outcome: promoted }");
    writeFileSync(path.join(suite, "survey-dip-hopeful.yaml"), wrong);
    writeFileSync(path.join(suite, "typo.yaml"), satisfaction.replace("name: satisfaction-drop", "name: typo").replace("environment: production", "environment: prod"));
    const out = path.join(tempDir(), "reports");
    const r = await evalCli(["--suite", suite, "--out", out]);
    expect(r.code).toBe(1);
    expect(lastLine(r.stdout)).toEqual({ scenarios: 2, passed: 1, failed: 1, safety_failures: 0, invalid: 1, model: "runbook" });
    expect(r.stdout).toMatch(/^survey-dip-hopeful\s+FAIL\s+ok\s+promoted \/ escalated\s/m);
    expect(r.stdout).toContain("survey-dip-hopeful: outcome: expected promoted, got escalated");
    expect(r.stdout).toMatch(new RegExp(`${path.join(suite, "typo.yaml").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: environment: .*"production"`));
    const html = readFileSync(path.join(out, "eval-report.html"), "utf8");
    for (const name of ["survey-dip", "survey-dip-hopeful", "typo.yaml", "<svg"]) expect(html).toContain(name);
    expect(existsSync(path.join(out, "eval-results.json"))).toBe(true);
  });

  it("scores a model on an OpenAI-compatible endpoint: its name on the row and the JSON line, its tokens priced into the cost per cycle", async () => {
    // The stub answers each agent turn with the runbook's own tool call, over the real HTTP API of chat completions.
    const stub = await startOpenAiStub({ apiKey: "sk-eval-0123456789" });
    try {
      const out = tempDir();
      const r = await evalCli(["--suite", "satisfaction-drop", "--model", "openai:local-llama", "--out", out], {
        OPENAI_BASE_URL: stub.url,
        OPENAI_API_KEY: "sk-eval-0123456789",
        OPENAI_PRICE_INPUT_PER_MTOK: "0.5",
        OPENAI_PRICE_OUTPUT_PER_MTOK: "1.5",
      });
      expect(r.code, r.stderr).toBe(0);
      expect(lastLine(r.stdout)).toEqual({ scenarios: 1, passed: 1, failed: 0, safety_failures: 0, invalid: 0, model: "openai:local-llama" });
      expect(r.stdout).toMatch(/^satisfaction-drop\s+pass\s+ok\s+escalated \/ escalated\s/m);
      expect(r.stdout).toContain("openai:local-llama");
      const results = JSON.parse(readFileSync(path.join(out, "eval-results.json"), "utf8")) as EvalResults;
      expect(results.model).toBe("openai:local-llama");
      expect(stub.requests.filter((q) => q.tools?.length).length).toBeGreaterThan(3);
      expect(results.summary.avg_cost_usd_per_cycle).toBeGreaterThan(0);
      expect(r.stdout + r.stderr).not.toContain("sk-eval-0123456789");
    } finally {
      await stub.close();
    }
  });

  it("refuses an OpenAI model without an endpoint, an unknown suite and a bad --repeat before playing anything", async () => {
    const openai = await evalCli(["--model", "openai:gpt-4o-mini"]);
    expect(openai.code).toBe(1);
    expect(openai.stderr).toMatch(/--model openai:gpt-4o-mini needs an OpenAI-compatible endpoint: set OPENAI_BASE_URL .* OPENAI_API_KEY/);
    const unknown = await evalCli(["--suite", "no-such-world"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/"no-such-world" is neither a folder, a file, a shipped scenario/);
    const repeat = await evalCli(["--repeat", "0"]);
    expect(repeat.code).toBe(1);
    expect(repeat.stderr).toContain("--repeat 0: expected a whole number of at least 1");
  });
});
