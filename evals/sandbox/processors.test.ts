import { describe, expect, it } from "vitest";
import { workersFromValues } from "./processors.js";

describe("workersFromValues", () => {
  it("reads the workers the values set and leaves the rest alone", () => {
    expect(workersFromValues({ embed: { workers: 8 } })).toEqual({ workers: { embed: 8 } });
    expect(workersFromValues({ crawl: { workers: 3 }, index: { workers: 1 }, embed: { batch_size: 64 } })).toEqual({ workers: { crawl: 3, index: 1 } });
    expect(workersFromValues(undefined)).toEqual({ workers: {} });
    expect(workersFromValues(null)).toEqual({ workers: {} });
  });

  it.each([
    [{ ingest: { workers: 2 } }, 'ETL processor "ingest", which does not exist'],
    [{ embed: { workers: 0 } }, "processors.embed.workers must be a whole number of at least 1, not 0"],
    [{ embed: { workers: 2.5 } }, "processors.embed.workers must be a whole number"],
    [{ embed: { workers: "8" } }, 'not "8"'],
    [{ embed: 8 }, "processors.embed must be a map"],
    [[{ embed: { workers: 8 } }], "values key processors must be a map"],
  ])("names what the chart cannot render in %j", (raw, problem) => {
    const result = workersFromValues(raw);
    expect("problem" in result && result.problem).toContain(problem);
  });
});
