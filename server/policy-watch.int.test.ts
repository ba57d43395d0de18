import { afterEach, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_POLICY_DIR } from "../policies/index.js";
import { startHarness, type Harness } from "./testing/harness.js";
import { watchPolicies } from "./policy-watch.js";

let h: Harness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  h = undefined;
  dir = undefined;
});

const until = async (check: () => Promise<boolean>, ms = 10_000) => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
};

describe("policy hot reload", () => {
  it("applies an edited policy file by itself, and keeps the active set when the edit is invalid", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "policies-watch-"));
    for (const f of readdirSync(DEFAULT_POLICY_DIR).filter((n) => n.endsWith(".cedar"))) cpSync(path.join(DEFAULT_POLICY_DIR, f), path.join(dir, f));
    h = await startHarness({ scenario: "ndcg-drop", env: { AUTOPILOT_POLICY_DIR: dir } });
    const watcher = watchPolicies(h.ap, 50);
    try {
      const outcome = async () =>
        (await h!.ap.gate.check({ principal: { type: "Agent", id: "metrics-analyst" }, tool: "prometheus_get_signal", input: { signal: "ndcg_drop", service: "search" }, scope: { cycleId: null, environment: "production", phase: "monitor", gatePassed: false, gateNeedsApproval: false, spentUsd: 0 } })).decision?.outcome;
      expect(await outcome()).toBe("allow");
      writeFileSync(path.join(dir, "zz-broken.cedar"), "permit (principal, action, resource) when { context.nope };\n");
      const refused = await until(async () => (await h!.ap.store.audit.list({ limit: 100 })).some((r) => r.decision === "policies_reload_failed"));
      expect(refused).toBe(true);
      expect(await outcome()).toBe("allow");
      writeFileSync(path.join(dir, "zz-broken.cedar"), '@id("quiet-hours")\n@reason("no signal reads during maintenance")\nforbid (principal, action == Autopilot::Action::"prometheus_get_signal", resource);\n');
      expect(await until(async () => (await outcome()) === "deny")).toBe(true);
    } finally {
      watcher.close();
    }
  });
});
