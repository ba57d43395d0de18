import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, getCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import type { HttpConfig } from "../config.js";
import type { SessionsRepo } from "../store/index.js";

/** The console's session cookie: an opaque id, signed, HttpOnly, SameSite=Strict, Path=/. */
export const SESSION_COOKIE = "autopilot_session";

/** Where the signing key is kept when SESSION_SECRET is not set. */
const KEY_NAME = "session_cookie_key";

/** Reads, writes and clears the session cookie with the signing key every replica shares. */
export interface SessionCookies {
  /** The cookie's session id; undefined when there is no cookie, false when its signature is wrong. */
  read(c: Context): Promise<string | undefined | false>;
  write(c: Context, sessionId: string, expiresAt: Date): Promise<void>;
  clear(c: Context): void;
}

/**
 * The session cookies. The key is SESSION_SECRET, or a random key that the first replica stores in
 * the database and the others read, so a cookie signed by one replica verifies on all of them.
 */
export function createSessionCookies(config: HttpConfig["session"], sessions: SessionsRepo): SessionCookies {
  let key: Promise<string> | undefined;
  const signingKey = () => {
    key ??= config.secret
      ? Promise.resolve(config.secret)
      : sessions.sharedSecret(KEY_NAME, () => randomBytes(48).toString("base64url"), new Date()).catch((error: unknown) => {
          // A database that did not answer this time may answer the next.
          key = undefined;
          throw error;
        });
    return key;
  };
  const attributes = (c: Context) => ({ httpOnly: true, sameSite: "Strict" as const, path: "/", secure: isSecure(c, config.secureCookie) });
  return {
    async read(c) {
      if (getCookie(c, SESSION_COOKIE) === undefined) return undefined;
      return getSignedCookie(c, await signingKey(), SESSION_COOKIE);
    },
    async write(c, sessionId, expiresAt) {
      const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
      await setSignedCookie(c, SESSION_COOKIE, sessionId, await signingKey(), { ...attributes(c), maxAge, expires: expiresAt });
    },
    clear(c) {
      deleteCookie(c, SESSION_COOKIE, attributes(c));
    },
  };
}

/** Whether the request reached us over https, directly or (behind a proxy) as X-Forwarded-Proto says. */
function isSecure(c: Context, mode: HttpConfig["session"]["secureCookie"]): boolean {
  if (mode !== "auto") return mode === "always";
  if (new URL(c.req.url).protocol === "https:") return true;
  return c.req.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https";
}

/**
 * Whether a request comes from a page of this server: its Origin names the Host it was sent to (or
 * the host a proxy received it for). Without an Origin, only a browser's `Sec-Fetch-Site:
 * same-origin` vouches for it. A cross-site page cannot forge either header, nor add
 * X-Forwarded-Host without a CORS preflight this server does not grant.
 */
export function isSameOrigin(c: Context): boolean {
  const origin = c.req.header("origin");
  if (!origin) return c.req.header("sec-fetch-site") === "same-origin";
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  const hosts = [c.req.header("host"), c.req.header("x-forwarded-host")?.split(",")[0]?.trim()];
  return hosts.some((h) => h !== undefined && h.toLowerCase() === host.toLowerCase());
}
