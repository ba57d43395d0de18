// Hash routes (`#/cycles/si_2026_11_20_001`): the server serves one page, and links, the back
// button and reloads all work without it knowing the console's routes.

/** @typedef {{ name: string, params: Record<string, string> }} Route */

/** The console's routes, most specific first; `:name` matches one path segment. */
const PATTERNS = [
  ["sign-in", "/sign-in"],
  ["chat", "/chat"],
  ["cycle", "/cycles/:id"],
  ["cycles", "/cycles"],
  ["health", "/health"],
  ["approval", "/approvals/:id"],
  ["approvals", "/approvals"],
  ["admin", "/admin"],
];

/** Where an empty or unknown hash leads. */
export const HOME = "#/cycles";

/**
 * The route of a hash, or null for an unknown one.
 * @param {string} hash
 * @returns {Route | null}
 */
export function parseRoute(hash) {
  const path = hash.replace(/^#/, "").split("?")[0] || "/";
  const parts = path.split("/").filter(Boolean);
  for (const [name, pattern] of PATTERNS) {
    const want = /** @type {string} */ (pattern).split("/").filter(Boolean);
    if (want.length !== parts.length) continue;
    /** @type {Record<string, string>} */
    const params = {};
    const ok = want.every((seg, i) => {
      const got = /** @type {string} */ (parts[i]);
      if (seg.startsWith(":")) {
        try {
          params[seg.slice(1)] = decodeURIComponent(got);
        } catch {
          return false;
        }
        return true;
      }
      return seg === got;
    });
    if (ok) return { name: /** @type {string} */ (name), params };
  }
  return null;
}

/**
 * Whether a hash is a route of the console (and not an in-page anchor such as the skip link's).
 * @param {string} hash
 */
export function isRouteHash(hash) {
  return hash === "" || hash === "#" || hash.startsWith("#/");
}

/**
 * A link target for a route, with its parameters encoded.
 * @param {...string} segments
 */
export function href(...segments) {
  return `#/${segments.map(encodeURIComponent).join("/")}`;
}
