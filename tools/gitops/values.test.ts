import { describe, expect, it } from "vitest";
import { deepMerge, parseValues } from "./values.js";

describe("deepMerge", () => {
  it("merges objects key by key, replaces scalars, arrays and null, and ignores undefined", () => {
    const base = { model: { name: "r", version: "1" }, canary: { enabled: true, version: "2", weight: 10 }, env: ["A"], extra: { keep: 1 } };
    const merged = deepMerge(base, { model: { version: "3" }, canary: { enabled: false, version: null, weight: 0 }, env: ["B"], extra: undefined });
    expect(merged).toEqual({ model: { name: "r", version: "3" }, canary: { enabled: false, version: null, weight: 0 }, env: ["B"], extra: { keep: 1 } });
    expect(base.model.version).toBe("1");
    expect(Object.keys(deepMerge({ b: 1, a: 1 }, { c: 1, a: 2 }))).toEqual(["b", "a", "c"]);
  });
});

describe("parseValues", () => {
  it("keeps unknown keys", () => {
    const values = parseValues("model:\n  name: r\n  version: '3'\ncanary:\n  enabled: false\n  version: null\n  weight: 0\nreplicas: 2\n", "v.yaml");
    expect(values).toEqual({ model: { name: "r", version: "3" }, canary: { enabled: false, version: null, weight: 0 }, replicas: 2 });
  });

  it("rejects malformed values with the file and the key", () => {
    expect(() => parseValues("model:\n  name: r\n  version: 3\ncanary:\n  enabled: false\n  version: null\n  weight: 0\n", "apps/a/dev/values.yaml")).toThrow(
      /apps\/a\/dev\/values.yaml is not a valid values file: model.version: .*string/,
    );
    expect(() => parseValues("model:\n  name: r\n  version: '3'\ncanary:\n  enabled: true\n  version: null\n  weight: 150\n", "v.yaml")).toThrow(
      /canary.weight: .*100.*canary.version: an enabled canary needs a version/,
    );
    expect(() => parseValues("model: [unclosed\n", "v.yaml")).toThrow(/v.yaml is not valid YAML/);
    expect(() => parseValues("just text\n", "v.yaml")).toThrow(/\(root\)/);
  });
});
