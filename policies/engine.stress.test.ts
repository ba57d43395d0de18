import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

// Regression for a V8 abort on Node 20 (see the flag set in engine.ts). The abort depends on how
// V8 optimizes plain Node code, which vitest's module runner changes, so this runs in a child.
const engineUrl = pathToFileURL(fileURLToPath(new URL("./engine.ts", import.meta.url))).href;
const fixturesUrl = pathToFileURL(fileURLToPath(new URL("./test-fixtures.ts", import.meta.url))).href;
const SCRIPT = `
const { DEFAULT_POLICY_DIR, loadPolicyEngine } = await import(${JSON.stringify(engineUrl)});
const { DEVOPS, FIXTURE_TOOLS, request } = await import(${JSON.stringify(fixturesUrl)});
const engine = await loadPolicyEngine(DEFAULT_POLICY_DIR, FIXTURE_TOOLS);
const hardStop = request(DEVOPS, "argocd_sync_application", { kill_switch: true });
const invalid = { ...request(DEVOPS, "h2o_train_model"), context: {} };
const allow = request(DEVOPS, "argocd_sync_application", { phase: "promote", auto_promote: true, gate_passed: true, canary_weight: 100 });
const counts = {};
for (const [name, req, times] of [["hard", hardStop, 8000], ["invalid", invalid, 8000], ["allow", allow, 4000]]) {
  for (let i = 0; i < times; i++) {
    const key = name + ":" + engine.decide(req).outcome;
    counts[key] = (counts[key] ?? 0) + 1;
  }
}
console.log(JSON.stringify(counts));
`;

describe("decide under a long mixed load", () => {
  it("keeps the process alive after thousands of hard stops and invalid requests", () => {
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", SCRIPT], { encoding: "utf8", timeout: 50_000 });
    expect(child.stderr).not.toMatch(/Fatal error/);
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ "hard:deny": 8000, "invalid:deny": 8000, "allow:allow": 4000 });
  });
});
