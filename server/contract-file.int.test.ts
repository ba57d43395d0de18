import { afterAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { DEFAULT_TRIGGER_CONTRACT } from "../core/index.js";
import { ConfigError, loadConfig } from "./config.js";
import { startHarness } from "./testing/harness.js";

// TRIGGER_CONTRACT_FILE: a YAML or JSON subset of the trigger contract merged over the defaults,
// validated when the configuration loads, and in force in every cycle.

const dir = mkdtempSync(path.join(tmpdir(), "autopilot-contract-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const where = path.join(dir, name);
  writeFileSync(where, text);
  return where;
}

const configWith = (contractFile: string) => loadConfig({ AUTOPILOT_HOME: dir, TRIGGER_CONTRACT_FILE: contractFile } as NodeJS.ProcessEnv);

/** The ConfigError message of loading `contractFile`. */
function problem(contractFile: string): string {
  try {
    configWith(contractFile);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error(`${contractFile} loaded`);
}

describe("TRIGGER_CONTRACT_FILE", () => {
  it("is the defaults when unset", () => {
    expect(loadConfig({ AUTOPILOT_HOME: dir } as NodeJS.ProcessEnv).contract).toEqual(DEFAULT_TRIGGER_CONTRACT);
  });

  it("merges a YAML subset over the defaults", () => {
    const contract = configWith(file("short.yaml", "abMinutes: 0.5\nwatchMinutes: 2\nsignals:\n  ndcg_drop:\n    trigger: { kind: relative_drop, fraction: 0.05 }\n")).contract;
    expect(contract.abMinutes).toBe(0.5);
    expect(contract.watchMinutes).toBe(2);
    expect(contract.signals.ndcg_drop.trigger).toEqual({ kind: "relative_drop", fraction: 0.05 });
    expect(contract.signals.ndcg_drop.gate).toEqual(DEFAULT_TRIGGER_CONTRACT.signals.ndcg_drop.gate);
    expect(contract.signals.latency_p95).toEqual(DEFAULT_TRIGGER_CONTRACT.signals.latency_p95);
    expect(contract.abTrafficPercent).toBe(DEFAULT_TRIGGER_CONTRACT.abTrafficPercent);
  });

  it("reads JSON too", () => {
    expect(configWith(file("contract.json", JSON.stringify({ abTrafficPercent: 10 }))).contract.abTrafficPercent).toBe(10);
  });

  it("stops start-up naming the file and every invalid field", () => {
    const where = file("bad.yaml", "abMinutes: -1\nsignals:\n  ndcg_drop:\n    trigger: { kind: sideways }\n");
    const message = problem(where);
    expect(message).toContain(`TRIGGER_CONTRACT_FILE: ${where}: `);
    expect(message).toContain("abMinutes:");
    expect(message).toContain("signals.ndcg_drop.trigger.kind:");
  });

  it("stops start-up on a missing file, a file that is not YAML and a contract that is not a mapping", () => {
    expect(problem(path.join(dir, "absent.yaml"))).toMatch(/TRIGGER_CONTRACT_FILE: .*absent\.yaml: ENOENT/);
    expect(problem(file("broken.yaml", "abMinutes: [1\n"))).toMatch(/TRIGGER_CONTRACT_FILE: .*broken\.yaml: /);
    expect(problem(file("scalar.yaml", "60\n"))).toMatch(/scalar\.yaml: \(top level\): /);
  });

  it("stops start-up on windows longer than the A/B and watch tools can wait", () => {
    const message = problem(file("long.yaml", "abMinutes: 120\nwatchMinutes: 600\n"));
    expect(message).toContain("abMinutes: 120 minutes is longer than prometheus_compare_variants can wait (at most 69)");
    expect(message).toContain("watchMinutes: 600 minutes is longer than prometheus_watch_signal can wait (at most 129)");
  });

  it("is the contract of the autopilot, with admins' gate overrides on top of it", async () => {
    const h = await startHarness({ scenario: "ndcg-drop", env: { TRIGGER_CONTRACT_FILE: file("in-force.yaml", "abMinutes: 30\nsignals:\n  ndcg_drop:\n    trigger: { kind: relative_drop, fraction: 0.05 }\n") } });
    try {
      expect(h.ap.contract.abMinutes).toBe(30);
      const stricter = [{ kind: "relative_gain", metric: "ndcg_at_10", fraction: 0.1 }];
      await h.ap.store.gateOverrides.set({ environment: h.ap.environment, signal: "ndcg_drop", rules: stricter, reason: "stricter", by: "ada", now: new Date() });
      const inForce = await h.ap.contractFor(h.ap.environment);
      expect(inForce.signals.ndcg_drop.gate).toEqual(stricter);
      expect(inForce.signals.ndcg_drop.trigger).toEqual({ kind: "relative_drop", fraction: 0.05 });
      expect(inForce.abMinutes).toBe(30);
    } finally {
      await h.close();
    }
  });

  it("makes `autopilot serve` exit 1 with the reason", async () => {
    const bin = path.resolve(import.meta.dirname, "..", "bin", "autopilot.js");
    const where = file("serve.yaml", "watchMinutes: 0\n");
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", AUTOPILOT_HOME: dir, TRIGGER_CONTRACT_FILE: where };
    const result = await promisify(execFile)(process.execPath, [bin, "serve"], { env, timeout: 60_000 }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`TRIGGER_CONTRACT_FILE: ${where}: watchMinutes:`);
  });
});
