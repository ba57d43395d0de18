import { describe, expect, it } from "vitest";
import { parseObligations } from "./obligations.js";

describe("parseObligations", () => {
  it.each([
    ["canary_max_percent=20", [{ key: "canary_max_percent", value: "20" }]],
    ["dry_run_only", [{ key: "dry_run_only", value: "true" }]],
    ["canary_max_percent=5, dry_run_only", [{ key: "canary_max_percent", value: "5" }, { key: "dry_run_only", value: "true" }]],
  ])("parses %s", (text, expected) => {
    expect(parseObligations(text)).toEqual(expected);
  });

  it.each([
    ["unknown_thing", /unknown obligation/],
    ["canary_max_percent", /integer 0-100/],
    ["canary_max_percent=101", /integer 0-100/],
    ["canary_max_percent=abc", /integer 0-100/],
    ["dry_run_only=yes", /takes no value/],
    ["", /unknown obligation/],
  ])("refuses %j", (text, message) => {
    expect(() => parseObligations(text)).toThrow(message);
  });
});
