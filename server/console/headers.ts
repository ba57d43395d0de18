/**
 * The console's Content-Security-Policy: everything from this server, no inline script or style,
 * no plugins, no framing, and DOM sinks that take strings (innerHTML and the like) refused, since
 * the console builds its DOM node by node.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
].join("; ");

/** Headers every console response carries. */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONSOLE_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=()",
};

/**
 * Assets have no content hash in their names (there is no build step), so browsers keep them but
 * ask again each time; the ETag turns that into a 304 unless the file changed.
 */
export const CONSOLE_CACHE_CONTROL = "no-cache";
