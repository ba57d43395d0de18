import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listScenarios, scenarioPath } from "../../evals/sandbox/index.js";
import { EvalError } from "./models.js";
import { loadSuite } from "./suite.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A folder holding `files` (name -> text). */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "eval-suite-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const ndcg = readFileSync(scenarioPath("ndcg-drop"), "utf8");
const names = (suite: ReturnType<typeof loadSuite>) => suite.entries.map((e) => e.scenario.name);

describe("loadSuite", () => {
  it("plays every shipped scenario by default", () => {
    const suite = loadSuite();
    expect(names(suite)).toEqual(listScenarios());
    expect(suite.problems).toEqual([]);
  });

  it("takes a shipped name, a prefix of shipped names, or a comma-separated list of them", () => {
    expect(names(loadSuite("ndcg-drop"))).toEqual(["ndcg-drop"]);
    const faults = listScenarios().filter((s) => s.startsWith("ndcg-drop-"));
    expect(faults).toContain("ndcg-drop-h2o-outage");
    expect(names(loadSuite("ndcg-drop-"))).toEqual(faults);
    expect(names(loadSuite("satisfaction-drop, ndcg-drop"))).toEqual(["satisfaction-drop", "ndcg-drop"]);
  });

  it("refuses a name that is no folder, file or shipped scenario, listing the shipped ones", () => {
    const error = (() => {
      try {
        loadSuite("no-such-world");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(EvalError);
    expect((error as EvalError).message).toMatch(/"no-such-world" is neither a folder, a file, a shipped scenario nor the start of one/);
    expect((error as EvalError).message).toContain("ndcg-drop");
  });

  it("reads a folder's .yaml and .yml files, reporting each bad one by file, field and reason", () => {
    const dir = folder({
      "mine.yml": ndcg.replace("name: ndcg-drop", "name: mine"),
      "typo.yaml": ndcg.replace("name: ndcg-drop", "name: typo").replace("traffic_rps: 120", "traffic_rps: lots"),
      "broken.yaml": "name: [unclosed",
      "notes.txt": "not a scenario",
    });
    const suite = loadSuite(dir);
    expect(names(suite)).toEqual(["mine"]);
    expect(suite.problems).toEqual([
      { file: path.join(dir, "broken.yaml"), field: "(file)", reason: expect.stringMatching(/^is not valid YAML/) },
      { file: path.join(dir, "typo.yaml"), field: "traffic_rps", reason: expect.stringMatching(/number/) },
    ]);
  });

  it("takes a single file, and refuses a folder without scenario files", () => {
    const dir = folder({ "one.yaml": ndcg.replace("name: ndcg-drop", "name: one") });
    expect(names(loadSuite(path.join(dir, "one.yaml")))).toEqual(["one"]);
    expect(() => loadSuite(folder({ "readme.md": "# nothing" }))).toThrow(/no \.yaml or \.yml scenario files there/);
  });
});
