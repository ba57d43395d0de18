import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../core/index.js";
import { createArtifactsRepo } from "./artifacts-repo.js";
import type { Database } from "./db.js";
import { openTestDatabase } from "./testing.js";

describe("artifacts repo", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.close());

  it("stores drafts with their hash and byte size and returns them by cycle and id", async () => {
    const artifacts = createArtifactsRepo(db);
    const now = new Date("2025-03-01T10:00:00.000Z");
    const report = "# Diagnosis\nNDCG dropped for tópic «billing»\n";
    const patch = "model:\n  version: 7\ncanary:\n  weight: 20\n";
    const refs = await artifacts.put(
      "si_2025_03_01_001",
      [
        { kind: "diagnostic_report", name: "diagnosis.md", mediaType: "text/markdown", content: report },
        { kind: "helm_values_patch", name: "values-patch.yaml", mediaType: "application/yaml", content: patch },
      ],
      now,
    );
    expect(refs).toEqual([
      { id: expect.stringMatching(/^art_[0-9a-f]{24}$/), kind: "diagnostic_report", name: "diagnosis.md", mediaType: "text/markdown", sha256: sha256Hex(report), size: Buffer.byteLength(report) },
      { id: expect.stringMatching(/^art_/), kind: "helm_values_patch", name: "values-patch.yaml", mediaType: "application/yaml", sha256: sha256Hex(patch), size: patch.length },
    ]);
    expect(refs[0]?.size).toBeGreaterThan(report.length);

    expect(await artifacts.list("si_2025_03_01_001")).toEqual(refs);
    expect(await artifacts.list("si_2025_03_01_002")).toEqual([]);
    expect(await artifacts.get(refs[0]?.id ?? "")).toEqual({ ...refs[0], cycleId: "si_2025_03_01_001", content: report, createdAt: now });
    expect(await artifacts.get("art_missing")).toBeNull();
  });
});
