import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// The browser modules are served as written (no build step), so the project's `tsc` never sees
// them; their JSDoc types are checked here with the console's own tsconfig (checkJs, DOM types).
describe("the console's browser modules", () => {
  it("type-check under strict settings", async () => {
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    const project = fileURLToPath(new URL("./tsconfig.json", import.meta.url));
    const run = await promisify(execFile)(process.execPath, [tsc, "-p", project, "--pretty", "false"]).then(
      () => ({ code: 0, stdout: "" }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(run.stdout).toBe("");
    expect(run.code).toBe(0);
  });
});
