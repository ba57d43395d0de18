import { describe, expect, it } from "vitest";
import { AutopilotError } from "../core/index.js";
import { createPolicyEngine } from "./engine.js";
import { PolicyLoadError } from "./errors.js";
import type { PolicyFile } from "./policy-set.js";
import { buildCedarSchema } from "./schema.js";
import { FIXTURE_TOOLS } from "./test-fixtures.js";

const schema = buildCedarSchema(FIXTURE_TOOLS);

const GOOD: PolicyFile = {
  path: "policies/good.cedar",
  text: `@id("read")
@reason("reads are fine")
permit (principal, action in Autopilot::Action::"readonly", resource);
`,
};

/** The PolicyLoadError that loading `files` throws. */
function loadError(files: PolicyFile[]): PolicyLoadError {
  try {
    createPolicyEngine({ schema, policyFiles: files });
  } catch (error) {
    if (error instanceof PolicyLoadError) return error;
    throw error;
  }
  throw new Error("the policy files loaded");
}

describe("loading policy files", () => {
  it("names the file and line of a syntax error", () => {
    const bad = { path: "policies/bad.cedar", text: `// a comment\n\n@id("x")\n@reason("y")\npermit (principal, action, resource)\nwhen { context.approved && };\n` };
    const error = loadError([GOOD, bad]);
    expect(error).toBeInstanceOf(AutopilotError);
    expect(error.file).toBe("policies/bad.cedar");
    expect(error.line).toBe(6);
    expect(error.message).toMatch(/^policies\/bad\.cedar:6: .*unexpected token/);
  });

  it("names the file and line of an unknown attribute caught by strict validation", () => {
    const bad = {
      path: "policies/typo.cedar",
      text: `@id("ok")\n@reason("fine")\npermit (principal, action in Autopilot::Action::"readonly", resource);\n\n@id("typo")\n@reason("r")\npermit (principal is Autopilot::Agent, action, resource)\nwhen {\n  context.aproved\n};\n`,
    };
    const error = loadError([GOOD, bad]);
    expect(error.file).toBe("policies/typo.cedar");
    expect(error.line).toBe(9);
    expect(error.reason).toMatch(/attribute `aproved` in context .* not found/);
    // One problem per spot, not one per action the policy applies to.
    expect(error.problems).toHaveLength(1);
  });

  it("counts lines correctly after non-ASCII text (Cedar reports byte offsets)", () => {
    const bad = { path: "p.cedar", text: `// déjà vu — ünïcödé\n@id("x")\n@reason("ça")\npermit (principal, action, resource)\nwhen { principal.role == "admin" };\n` };
    const error = loadError([bad]);
    expect(error.line).toBe(5);
    expect(error.reason).toMatch(/role/);
  });

  it("names an attribute used on the wrong principal type", () => {
    const bad = { path: "role.cedar", text: `@id("r")\n@reason("r")\npermit (principal is Autopilot::Agent, action, resource)\nwhen { principal.role == "admin" };\n` };
    expect(loadError([bad])).toMatchObject({ file: "role.cedar", line: 4 });
  });

  it("refuses an unknown action and a policy that can never apply", () => {
    const unknown = { path: "a.cedar", text: `@id("a")\n@reason("a")\nforbid (principal, action == Autopilot::Action::"argocd_delete_everything", resource);\n` };
    expect(loadError([unknown]).reason).toMatch(/unrecognized action/);
    const impossible = { path: "b.cedar", text: `@id("b")\n@reason("b")\nforbid (principal, action, resource) when { false };\n` };
    expect(loadError([impossible]).reason).toMatch(/impossible/);
  });

  it.each([
    ["no @id", `@reason("r") permit (principal, action, resource);`, /needs a non-empty @id/],
    ["no @reason", `@id("a") permit (principal, action, resource);`, /needs a non-empty @reason/],
    ["a hard stop on a permit", `@id("a") @reason("r") @hard_stop("true") permit (principal, action, resource);`, /@hard_stop/],
    ["a hard stop that is not true", `@id("a") @reason("r") @hard_stop("yes") forbid (principal, action, resource) when { context.kill_switch };`, /@hard_stop/],
    ["an obligation on a forbid", `@id("a") @reason("r") @obligation("dry_run_only") forbid (principal, action, resource) when { context.kill_switch };`, /permit policies only/],
    ["an unknown obligation", `@id("a") @reason("r") @obligation("be_nice") permit (principal, action, resource);`, /unknown obligation/],
    ["a template", `@id("a") @reason("r") permit (principal == ?principal, action, resource);`, /templates/],
  ])("refuses %s", (_name, text, reason) => {
    const error = loadError([GOOD, { path: "x.cedar", text: `\n${text}\n` }]);
    expect(error).toMatchObject({ file: "x.cedar", line: 2 });
    expect(error.reason).toMatch(reason);
  });

  it("refuses an @id used twice, naming both places", () => {
    const again = { path: "again.cedar", text: `\n\n${GOOD.text}` };
    const error = loadError([GOOD, again]);
    expect(error).toMatchObject({ file: "again.cedar", line: 3 });
    expect(error.reason).toBe('duplicate @id("read"), first at policies/good.cedar:1');
  });

  it("lists every problem of every file", () => {
    const a = { path: "a.cedar", text: `@id("a") permit (principal, action, resource);` };
    const b = { path: "b.cedar", text: `@id("b") @reason("b") permit (principal, action, resource) when { context.nope };` };
    const error = loadError([a, b]);
    expect(error.problems.map((p) => p.file)).toEqual(["a.cedar", "b.cedar"]);
    expect(error.message).toMatch(/\(and 1 more\)$/);
  });

  it("loads an empty set and a file with only comments", () => {
    expect(() => createPolicyEngine({ schema, policyFiles: [] })).not.toThrow();
    expect(() => createPolicyEngine({ schema, policyFiles: [{ path: "c.cedar", text: "// nothing yet\n" }] })).not.toThrow();
  });
});
