import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const LAYERS = ["core", "tools", "policies", "prompts", "agents", "graphs", "evals", "server"];

/** Production source files (tests and test support excluded). */
function sources(): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) {
        if (name !== "testing" && name !== "node_modules") walk(full);
      } else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) {
        out.push({ file: path.relative(ROOT, full), text: readFileSync(full, "utf8") });
      }
    }
  };
  for (const layer of LAYERS) walk(path.join(ROOT, layer));
  return out;
}

// The structure that makes the policy gate the only way a tool executes.
describe("the policy gate is the only path to the systems", () => {
  const files = sources();

  it("is the only code that calls a tool's run function", () => {
    const callers = files.filter(({ file, text }) => !file.startsWith("tools/") && /\btool\.run\(|\.run\(input, ctx\)|\bdef\.run\(/.test(text)).map((f) => f.file);
    expect(callers).toEqual(["policies/gate.ts"]);
  });

  it("builds system clients only in the composition root", () => {
    const builders = files
      .filter(({ file, text }) => !file.startsWith("tools/") && /new (PrometheusClient|AlertmanagerClient|GrafanaClient|MlflowClient|H2oClient|ArgoCdClient)\(|DvcWorkspace\.open\(|GitOpsRepo\.open\(/.test(text))
      .map((f) => f.file);
    expect(builders).toEqual(["server/platform.ts"]);
  });

  it("hands the clients to the gate and to nothing else", () => {
    const users = files.filter(({ text }) => /platform\.clients\b/.test(text)).map((f) => f.file);
    expect(users).toEqual(["server/autopilot.ts"]);
    const autopilot = files.find((f) => f.file === "server/autopilot.ts")!.text;
    expect(autopilot.match(/platform\.clients/g)).toHaveLength(1);
    // Spread into the gate's clients beside the autopilot's own (its store), never anywhere else.
    expect(autopilot).toMatch(/createPolicyGate\(\{[^}]*clients: (\{ \.\.\.)?platform\.clients/s);
  });

  it("keeps agents and graphs away from clients and toolsets' internals", () => {
    const leaks = files
      .filter(({ file }) => file.startsWith("agents/") || file.startsWith("graphs/") || file.startsWith("prompts/"))
      .filter(({ text }) => /from "\.\.\/(\.\.\/)?tools\/(prometheus|alertmanager|mlflow|h2o|argocd|dvc|gitops)\//.test(text) || /\bclients\./.test(text))
      .map((f) => f.file);
    expect(leaks).toEqual([]);
  });
});
