import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool, renderToolOutcome } from "./tool.js";

const flags = { readOnly: true, destructive: false, idempotent: true, openWorld: true };

describe("defineTool", () => {
  it("accepts a well-formed tool and defaults its timeout", () => {
    const t = defineTool({
      name: "prometheus_query_instant",
      system: "prometheus",
      title: "Query",
      description: "d",
      input: z.object({ query: z.string().describe("PromQL") }),
      flags,
      run: async () => ({ status: "no_data", summary: "none" }),
    });
    expect(t.timeoutMs).toBe(30_000);
    expect(Object.isFrozen(t)).toBe(true);
  });
  it("refuses a name without its system prefix, an undescribed field, and read-only destructive tools", () => {
    const base = { system: "prometheus" as const, title: "t", description: "d", flags, run: async () => ({ status: "no_data" as const, summary: "" }) };
    expect(() => defineTool({ ...base, name: "query_prometheus_x", input: z.object({}) })).toThrow(/must be <system>_<verb>_<object>/);
    expect(() => defineTool({ ...base, name: "prometheus_query_x", input: z.object({ q: z.string() }) })).toThrow(/"q" has no description/);
    expect(() => defineTool({ ...base, name: "prometheus_query_x", input: z.object({}), flags: { ...flags, destructive: true } })).toThrow(/read-only/);
  });
});

describe("renderToolOutcome", () => {
  it("keeps small outcomes whole", () => {
    const text = renderToolOutcome({ status: "success", summary: "ok", data: { a: 1 } });
    expect(JSON.parse(text)).toEqual({ status: "success", summary: "ok", data: { a: 1 } });
  });
  it("cuts long arrays first and keeps status and summary visible", () => {
    const data = { series: Array.from({ length: 5000 }, (_, i) => ({ i, v: i * 1.5 })) };
    const text = renderToolOutcome({ status: "success", summary: "many", data }, 2_000);
    expect(text.length).toBeLessThanOrEqual(2_000);
    const parsed = JSON.parse(text) as { status: string; summary: string; data: { series: unknown[] } };
    expect(parsed.status).toBe("success");
    expect(parsed.summary).toBe("many");
    expect(parsed.data.series.at(-1)).toMatch(/more items/);
  });
  it("truncates text that no array cut can shrink enough", () => {
    const text = renderToolOutcome({ status: "success", summary: "x".repeat(5_000), data: null }, 500);
    expect(text.length).toBe(500);
    expect(text).toMatch(/truncated/);
  });
});
