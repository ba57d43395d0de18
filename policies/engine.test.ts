import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createPolicyEngine, DEFAULT_POLICY_DIR, loadPolicyEngine, readPolicyFiles } from "./engine.js";
import type { PolicyRequest } from "./engine.js";
import { PolicyLoadError } from "./errors.js";
import { buildCedarSchema } from "./schema.js";
import { DEVOPS, FIXTURE_TOOLS, request } from "./test-fixtures.js";

const schema = buildCedarSchema(FIXTURE_TOOLS);
const engine = await loadPolicyEngine(DEFAULT_POLICY_DIR, FIXTURE_TOOLS);
const TRAIN = request(DEVOPS, "h2o_train_model", { phase: "train" });

/** A request with its context or other parts replaced by anything, as an untyped caller could send. */
function raw(patch: Record<string, unknown>, contextPatch: Record<string, unknown> = {}): PolicyRequest {
  return { ...TRAIN, ...patch, context: { ...TRAIN.context, ...contextPatch } } as unknown as PolicyRequest;
}

describe("decide fails closed", () => {
  it("allows the well-formed request the cases below break", () => {
    expect(engine.decide(TRAIN).outcome).toBe("allow");
  });

  it("denies a context with a missing field, naming it", () => {
    const { gate_passed: _dropped, ...rest } = TRAIN.context;
    const decision = engine.decide({ ...TRAIN, context: rest as PolicyRequest["context"] });
    expect(decision).toMatchObject({ outcome: "deny", hardStop: false, policies: [] });
    expect(decision.reasons.join()).toMatch(/context\.gate_passed/);
    expect(decision.errors.length).toBeGreaterThan(0);
  });

  it.each([
    ["a boolean given as a string", { approved: "true" }, /context\.approved/],
    ["a weight over 100", { canary_weight: 101 }, /context\.canary_weight/],
    ["a fractional weight", { canary_weight: 20.5 }, /context\.canary_weight/],
    ["an unknown environment", { environment: "prod" }, /context\.environment/],
    ["an unknown phase", { phase: "yolo" }, /context\.phase/],
    ["an extra field", { is_admin: true }, /is_admin/],
  ])("denies %s", (_name, patch, reason) => {
    const decision = engine.decide(raw({}, patch));
    expect(decision.outcome).toBe("deny");
    expect(decision.reasons.join()).toMatch(reason);
  });

  it.each([
    ["a tool nobody declared", "argocd_delete_application"],
    ["a flag group", "destructive"],
    ["a system group", "system:argocd"],
  ])("denies %s as an unknown tool", (_name, action) => {
    expect(engine.decide(raw({ action }))).toMatchObject({ outcome: "deny", reasons: [`unknown tool "${action}"`] });
  });

  it.each([
    ["an operator without a role", { principal: { type: "Operator", id: "ann" } }, /principal\.role/],
    ["an operator with an unknown role", { principal: { type: "Operator", id: "ann", role: "root" } }, /principal\.role/],
    ["an agent with a role", { principal: { type: "Agent", id: "devops", role: "admin" } }, /only an Operator has a role/],
    ["an unknown principal type", { principal: { type: "Root", id: "x" } }, /principal\.type/],
    ["an empty principal id", { principal: { type: "Agent", id: "" } }, /principal\.id/],
    ["an unknown resource type", { resource: { type: "Cluster", id: "c" } }, /resource\.type/],
    ["an Environment that does not exist", { resource: { type: "Environment", id: "qa" } }, /resource\.id/],
  ])("denies %s", (_name, patch, reason) => {
    const decision = engine.decide(raw(patch));
    expect(decision.outcome).toBe("deny");
    expect(decision.reasons.join()).toMatch(reason);
  });

  it("denies a resource of another environment than the call's", () => {
    const onStaging = raw({ resource: { type: "Application", id: "search", environment: "staging" } });
    expect(engine.decide(onStaging)).toMatchObject({ outcome: "deny", reasons: [expect.stringMatching(/in staging, the call is for production/)] });
    const envMismatch = raw({ resource: { type: "Environment", id: "dev" } });
    expect(engine.decide(envMismatch).outcome).toBe("deny");
  });

  it("decides on an Application of the call's environment and on a Model", () => {
    expect(engine.decide(raw({ resource: { type: "Application", id: "search", environment: "production" } })).outcome).toBe("allow");
    expect(engine.decide(raw({ resource: { type: "Model", id: "reranker" } })).outcome).toBe("allow");
  });

  it("accepts an agent whose role key is present but undefined (how the gate passes it)", () => {
    expect(engine.decide({ ...TRAIN, principal: { type: "Agent", id: "ml-engineer", role: undefined } }).outcome).toBe("allow");
  });

  it("never throws, whatever it is given", () => {
    for (const junk of [null, undefined, 42, "allow", {}, { principal: null }]) {
      expect(engine.decide(junk as unknown as PolicyRequest).outcome).toBe("deny");
    }
  });

  it("denies when a policy fails to evaluate, even if another permits", () => {
    const files = [
      { path: "allow.cedar", text: `@id("all") @reason("all") permit (principal, action, resource);` },
      // Long overflow at evaluation time: strict validation cannot see it coming.
      { path: "boom.cedar", text: `@id("boom") @reason("boom") forbid (principal, action, resource) when { context.canary_weight * 9223372036854775807 > 0 };` },
    ];
    const e = createPolicyEngine({ schema, policyFiles: files });
    expect(e.decide(request(DEVOPS, "h2o_train_model", { canary_weight: 0 })).outcome).toBe("allow");
    const decision = e.decide(request(DEVOPS, "h2o_train_model", { canary_weight: 2 }));
    expect(decision.outcome).toBe("deny");
    expect(decision.errors.join()).toMatch(/boom.*overflow/);
  });
});

describe("decide", () => {
  it("returns the obligations of the permits that allowed, parsed", () => {
    const files = [
      { path: "a.cedar", text: `@id("canary") @reason("canary") @obligation("canary_max_percent=10, dry_run_only") permit (principal, action, resource) when { context.phase == "ab_test" };` },
      { path: "b.cedar", text: `@id("plain") @reason("plain") permit (principal, action, resource) when { context.approved };` },
    ];
    const e = createPolicyEngine({ schema, policyFiles: files });
    expect(e.decide(request(DEVOPS, "argocd_sync_application", { phase: "ab_test" }))).toEqual({
      outcome: "allow",
      reasons: ["canary"],
      policies: ["canary"],
      hardStop: false,
      obligations: [
        { key: "canary_max_percent", value: "10" },
        { key: "dry_run_only", value: "true" },
      ],
      errors: [],
    });
    // An approval alone would allow: require_approval names that permit, which carries no obligation.
    expect(e.decide(request(DEVOPS, "argocd_sync_application", { phase: "promote" }))).toMatchObject({
      outcome: "require_approval",
      policies: ["plain"],
      reasons: ["plain"],
      obligations: [],
    });
  });

  it("answers what an approval would get in the same evaluation: a forbid or a failure with one is a deny", () => {
    const files = [
      { path: "p.cedar", text: `@id("with-approval") @reason("with approval") permit (principal, action, resource) when { context.approved };` },
      {
        path: "f.cedar",
        text: `@id("not-dry") @reason("no approved dry runs") forbid (principal, action, resource) when { context.approved && context.dry_run };`,
      },
      {
        path: "boom.cedar",
        text: `@id("boom") @reason("boom") permit (principal, action, resource) when { context.approved && context.canary_weight * 4000000000000000 * 4000000000000000 > 0 };`,
      },
    ];
    const e = createPolicyEngine({ schema, policyFiles: files });
    expect(e.decide(request(DEVOPS, "h2o_train_model", { canary_weight: 0 }))).toMatchObject({ outcome: "require_approval", policies: ["with-approval"] });
    expect(e.decide(request(DEVOPS, "h2o_train_model", { canary_weight: 0, dry_run: true }))).toMatchObject({
      outcome: "deny",
      policies: ["not-dry"],
      reasons: ["no approved dry runs"],
      hardStop: false,
    });
    const failing = e.decide(request(DEVOPS, "h2o_train_model", { canary_weight: 1 }));
    expect(failing.outcome).toBe("deny");
    expect(failing.errors.join()).toMatch(/^cedar: policy boom: .*overflow/);
    // With the approval attached, the permit allows on its own.
    expect(e.decide(request(DEVOPS, "h2o_train_model", { canary_weight: 0, approved: true }))).toMatchObject({ outcome: "allow", policies: ["with-approval"] });
  });

  it("keeps a Long beyond 2^53 exact in a policy it specialises", () => {
    // JavaScript would read 9007199254740993 as ...992, and 2 * ...992 is not ...986.
    const files = [
      {
        path: "exact.cedar",
        text: `@id("exact") @reason("exact") permit (principal, action in Autopilot::Action::"write", resource) when { context.phase == "train" && context.canary_weight * 9007199254740993 == 18014398509481986 };`,
      },
    ];
    const e = createPolicyEngine({ schema, policyFiles: files });
    expect(e.decide(request(DEVOPS, "h2o_train_model", { phase: "train", canary_weight: 2 })).outcome).toBe("allow");
    expect(e.decide(request(DEVOPS, "h2o_train_model", { phase: "train", canary_weight: 3 })).outcome).toBe("deny");
  });

  it("says which policy permits nothing by default", () => {
    const decision = engine.decide(request({ type: "Operator", id: "vera", role: "viewer" }, "h2o_train_model", { environment: "staging" }));
    expect(decision).toEqual({
      outcome: "deny",
      reasons: ['no policy permits Operator::"vera" to call h2o_train_model in staging'],
      policies: [],
      hardStop: false,
      obligations: [],
      errors: [],
    });
  });
});

describe("reload", () => {
  const readAll = { path: "read.cedar", text: `@id("read") @reason("read") permit (principal, action in Autopilot::Action::"readonly", resource);` };
  const writeAll = { path: "write.cedar", text: `@id("write") @reason("write") permit (principal, action in Autopilot::Action::"write", resource);` };
  const broken = { path: "broken.cedar", text: `@id("w") @reason("w")\npermit (principal, action, resource) when { context.nope };` };
  const GET = request(DEVOPS, "mlflow_get_model");

  it("swaps in a set that validates", () => {
    const e = createPolicyEngine({ schema, policyFiles: [readAll] });
    expect(e.decide(TRAIN).outcome).toBe("deny");
    e.reload([readAll, writeAll]);
    expect(e.decide(TRAIN).outcome).toBe("allow");
    expect(e.policyTexts()).toEqual([readAll, writeAll]);
  });

  it("keeps the old set and throws when the new one does not validate", () => {
    const e = createPolicyEngine({ schema, policyFiles: [readAll] });
    expect(() => e.reload([writeAll, broken])).toThrow(PolicyLoadError);
    expect(() => e.reload([writeAll, broken])).toThrow(/^broken\.cedar:2: /);
    expect(e.decide(GET).outcome).toBe("allow");
    expect(e.decide(TRAIN).outcome).toBe("deny");
    expect(e.policyTexts()).toEqual([readAll]);
  });

  it("does not disturb another engine", () => {
    const a = createPolicyEngine({ schema, policyFiles: [readAll] });
    const b = createPolicyEngine({ schema, policyFiles: [readAll] });
    b.reload([writeAll]);
    expect(a.decide(GET).outcome).toBe("allow");
    expect(b.decide(GET).outcome).toBe("deny");
  });
});

describe("loadPolicyEngine", () => {
  it("reads the default policy files in name order", async () => {
    const files = await readPolicyFiles(DEFAULT_POLICY_DIR);
    expect(files.map((f) => f.path.slice(DEFAULT_POLICY_DIR.length).replace(/^\//, ""))).toEqual([
      "approvals.cedar",
      "base.cedar",
      "dev.cedar",
      "hard-stops.cedar",
      "production.cedar",
      "staging.cedar",
    ]);
    expect(engine.policyTexts()).toEqual(files);
  });

  it("refuses a folder without policy files", async () => {
    const dir = await mkdtemp(join(tmpdir(), "policies-"));
    try {
      await writeFile(join(dir, "notes.txt"), "not a policy");
      await expect(loadPolicyEngine(dir, FIXTURE_TOOLS)).rejects.toThrow(/no \.cedar policy files/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("fails with the file and line of a bad file in the folder", async () => {
    const dir = await mkdtemp(join(tmpdir(), "policies-"));
    try {
      await writeFile(join(dir, "bad.cedar"), `@id("a")\n@reason("a")\npermit (principal, action, resource)\nwhen { context.approved == 1 };\n`);
      await expect(loadPolicyEngine(dir, FIXTURE_TOOLS)).rejects.toMatchObject({ file: join(dir, "bad.cedar"), line: 4 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
