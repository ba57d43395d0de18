import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../logger.js";
import { CONSOLE_CSP, loadConsoleAssets } from "../../console/index.js";
import { HttpError, renderError } from "../errors.js";
import { consoleRoutes } from "./console.js";

function appWith(routes: ReturnType<typeof consoleRoutes>) {
  const logger = createLogger({ level: "silent" });
  // As app.ts does: errors and unknown routes both answer in the API's error shape.
  return new Hono()
    .route("/", routes)
    .onError((error, c) => renderError(error, c, logger))
    .notFound((c) => renderError(new HttpError(404, "not_found", `no route ${c.req.path}`), c, logger));
}

describe("the console's routes", () => {
  const app = appWith(consoleRoutes());

  it("serves the page at / and /console with a strict CSP and a validator", async () => {
    for (const url of ["/", "/console"]) {
      const res = await app.request(url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
      const html = await res.text();
      expect(html).toContain('<script type="module" src="/assets/app.js"></script>');
    }
  });

  it("has a CSP that allows only this server and no inline script", () => {
    expect(CONSOLE_CSP).toContain("default-src 'self'");
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain("unsafe-inline");
    expect(CONSOLE_CSP).not.toContain("unsafe-eval");
    expect(CONSOLE_CSP).not.toMatch(/https?:/);
  });

  it("serves each asset with its content type, and answers a matching If-None-Match with 304", async () => {
    const cases = { "/assets/app.js": "text/javascript; charset=utf-8", "/assets/styles/base.css": "text/css; charset=utf-8", "/assets/icon.svg": "image/svg+xml", "/assets/pages/cycle.js": "text/javascript; charset=utf-8" };
    for (const [url, type] of Object.entries(cases)) {
      const res = await app.request(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get("content-type")).toBe(type);
      const etag = res.headers.get("etag")!;
      expect(Number(res.headers.get("content-length"))).toBe((await res.arrayBuffer()).byteLength);
      const again = await app.request(url, { headers: { "if-none-match": `"other", W/${etag}` } });
      expect(again.status).toBe(304);
      expect(again.headers.get("etag")).toBe(etag);
      expect(await again.text()).toBe("");
      expect((await app.request(url, { headers: { "if-none-match": '"stale"' } })).status).toBe(200);
    }
  });

  it("answers HEAD like GET without a body", async () => {
    const res = await app.request("/assets/app.js", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await res.text()).toBe("");
  });

  it("answers an unknown asset, a path outside the folder and a malformed escape with a 404 in the API's error shape", async () => {
    for (const url of ["/assets/nope.js", "/assets/../assets.ts", "/assets/%2e%2e/assets.ts", "/assets/%E0%A4%A", "/assets/"]) {
      const res = await app.request(url);
      expect(res.status, url).toBe(404);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("not_found");
    }
  });

  it("serves every file the page links and every module it imports, so the page never asks for a file that is not there", async () => {
    const assets = loadConsoleAssets();
    const missing: string[] = [];
    for (const file of assets.paths().filter((p) => p.endsWith(".js"))) {
      const text = new TextDecoder().decode(assets.get(file)!.body);
      for (const m of text.matchAll(/^import [^;]*?from "(\.{1,2}\/[^"]+)";/gm)) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!));
        if (!assets.get(target)) missing.push(`${file} -> ${m[1]}`);
      }
    }
    const html = new TextDecoder().decode(assets.index.body);
    for (const m of html.matchAll(/(?:href|src)="\/assets\/([^"]+)"/g)) if (!assets.get(m[1]!)) missing.push(`index.html -> ${m[1]}`);
    expect(missing).toEqual([]);
    expect(assets.paths()).toEqual(expect.arrayContaining(["index.html", "app.js", "styles/base.css", "styles/layout.css", "styles/widgets.css", "styles/pages.css", "icon.svg"]));
  });

  it("serves only the files a browser loads from a folder it is given", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "console-assets-"));
    mkdirSync(path.join(dir, "lib"));
    writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>t</title>");
    writeFileSync(path.join(dir, "lib", "a.js"), "export const a = 1;\n");
    writeFileSync(path.join(dir, "types.d.ts"), "export {};\n");
    writeFileSync(path.join(dir, ".secret.js"), "nope");
    writeFileSync(path.join(dir, "notes.md"), "nope");
    const assets = loadConsoleAssets(dir);
    expect(assets.paths()).toEqual(["index.html", "lib/a.js"]);
    const custom = appWith(consoleRoutes({ assets }));
    expect(await (await custom.request("/assets/lib/a.js")).text()).toBe("export const a = 1;\n");
    expect((await custom.request("/assets/.secret.js")).status).toBe(404);
  });
});
