import { Hono, type Context } from "hono";
import { CONSOLE_CACHE_CONTROL, CONSOLE_SECURITY_HEADERS, etagMatches, loadConsoleAssets, type ConsoleAsset, type ConsoleAssets } from "../../console/index.js";
import { HttpError } from "../errors.js";

/** What the console's routes serve (tests pass their own files). */
export interface ConsoleRoutesOptions {
  assets?: ConsoleAssets;
}

/**
 * The operator console: its page at `/` (and `/console`) and its files under `/assets/`. The page
 * and its scripts hold no data and no secret, so they are public; everything they show comes from
 * the API, which needs a principal. An unknown asset is a 404 in the API's error shape.
 */
export function consoleRoutes(options: ConsoleRoutesOptions = {}) {
  const assets = options.assets ?? loadConsoleAssets();
  const send = (c: Context, asset: ConsoleAsset) => {
    const headers: Record<string, string> = { ...CONSOLE_SECURITY_HEADERS, etag: asset.etag, "cache-control": CONSOLE_CACHE_CONTROL };
    if (etagMatches(c.req.header("if-none-match"), asset.etag)) return c.body(null, 304, headers);
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, { ...headers, "content-type": asset.contentType, "content-length": String(asset.body.byteLength) });
  };
  return new Hono()
    .get("/", (c) => send(c, assets.index))
    .get("/console", (c) => send(c, assets.index))
    .get("/assets/*", (c) => {
      const raw = c.req.path.slice(c.req.path.indexOf("/assets/") + "/assets/".length);
      const assetPath = safeDecode(raw);
      const asset = assetPath === null ? undefined : assets.get(assetPath);
      if (!asset) throw new HttpError(404, "not_found", `the console has no asset "${assetPath ?? raw}"`);
      return send(c, asset);
    });
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
