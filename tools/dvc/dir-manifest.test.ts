import { describe, expect, it } from "vitest";
import { compareCodePoints, dirHash, dirManifest, pyJsonString } from "./dir-manifest.js";

describe("dirManifest", () => {
  it("matches DVC's hash of data/{one,two} (test_data_cloud.py)", () => {
    const manifest = dirManifest([
      { md5: "b8a9f715dbb64fd5c56e7783c6820a61", relpath: "two" },
      { md5: "f97c5d29941bfb1b2fdab0874906ab82", relpath: "one" },
    ]);
    expect(manifest).toBe(
      '[{"md5": "f97c5d29941bfb1b2fdab0874906ab82", "relpath": "one"}, {"md5": "b8a9f715dbb64fd5c56e7783c6820a61", "relpath": "two"}]',
    );
    expect(dirHash(manifest)).toBe("6b18131dc289fd37006705affe961ef8.dir");
  });

  it("serializes an empty directory as Python does", () => {
    expect(dirManifest([])).toBe("[]");
  });
});

describe("pyJsonString", () => {
  it("escapes like json.dumps with ensure_ascii", () => {
    // Expected strings are Python's own output (json.dumps).
    expect(pyJsonString("caf\u00e9")).toBe('"caf\\u00e9"');
    expect(pyJsonString("\u{1F600}")).toBe('"\\ud83d\\ude00"');
    expect(pyJsonString('a"q\\b')).toBe('"a\\"q\\\\b"');
    expect(pyJsonString("t\tn\nr\rb\bf\f")).toBe('"t\\tn\\nr\\rb\\bf\\f"');
    expect(pyJsonString("\u0001\u007f")).toBe('"\\u0001\\u007f"');
  });
});

describe("compareCodePoints", () => {
  it("orders astral characters after the rest of the BMP, as Python does", () => {
    expect(["\u{1F600}", "\uff5e", "a"].sort(compareCodePoints)).toEqual(["a", "\uff5e", "\u{1F600}"]);
    expect(compareCodePoints("ab", "a")).toBeGreaterThan(0);
    expect(compareCodePoints("a", "a")).toBe(0);
  });
});
