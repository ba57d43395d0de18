import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** One file of the console, held in memory with what its responses need. */
export interface ConsoleAsset {
  /** Path under the web folder, with forward slashes (`app.js`, `pages/chat.js`). */
  path: string;
  body: Uint8Array;
  contentType: string;
  /** A strong validator: the file's SHA-256, quoted. */
  etag: string;
}

/** The console's files by path; `index` is the page itself. */
export interface ConsoleAssets {
  index: ConsoleAsset;
  get(assetPath: string): ConsoleAsset | undefined;
  paths(): string[];
}

/** The folder the console's files are served from. */
export const CONSOLE_WEB_DIR = fileURLToPath(new URL("./web/", import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

/** Whether a file is one the browser loads (and not an editor's or type checker's file beside them). */
function servable(file: string): boolean {
  return file.split("/").every((part) => !part.startsWith(".")) && path.extname(file) in CONTENT_TYPES && !file.endsWith(".d.ts");
}

function walk(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return walk(path.join(dir, entry.name), rel);
    return entry.isFile() && servable(rel) ? [rel] : [];
  });
}

/**
 * Reads the console's files once, so that each response is a lookup (and no request path ever
 * reaches the file system: a path that is not in the table is simply unknown).
 */
export function loadConsoleAssets(dir: string = CONSOLE_WEB_DIR): ConsoleAssets {
  const table = new Map<string, ConsoleAsset>();
  for (const rel of walk(dir)) {
    const body = readFileSync(path.join(dir, rel));
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`;
    table.set(rel, { path: rel, body, contentType: CONTENT_TYPES[path.extname(rel)]!, etag });
  }
  const index = table.get("index.html");
  if (!index) throw new Error(`the console has no index.html in ${dir}`);
  return { index, get: (assetPath) => table.get(assetPath), paths: () => [...table.keys()].sort() };
}

/** Whether an `If-None-Match` header names this ETag (weak comparison, as RFC 9110 asks for GET). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}
