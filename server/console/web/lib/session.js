// The signed-in principal. The token is sent once, to POST /api/v1/session, and is never kept by
// the page: the server answers with an HttpOnly cookie that scripts cannot read.

import { ApiError, request } from "./api.js";

/** @typedef {import("../types.js").Principal} Principal */
/** @typedef {import("../types.js").Role} Role */

const RANK = { viewer: 0, operator: 1, admin: 2 };

/**
 * Whether a principal's role is at least `role` (the same order the server applies).
 * @param {Principal | null} principal
 * @param {Role} role
 */
export function hasRole(principal, role) {
  return principal !== null && (RANK[principal.role] ?? -1) >= RANK[role];
}

/**
 * The principal of the current session, or null when there is none.
 * @returns {Promise<Principal | null>}
 */
export async function currentPrincipal() {
  try {
    const body = await request("GET", "/api/v1/session");
    return principalOf(body);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 404)) return null;
    throw error;
  }
}

/**
 * Signs in with an API token; throws the server's ApiError when it refuses the token.
 * @param {string} token
 * @returns {Promise<Principal>}
 */
export async function signIn(token) {
  const body = await request("POST", "/api/v1/session", { body: { token } });
  const principal = principalOf(body);
  if (!principal) throw new ApiError(500, "bad_session", "The server accepted the token but did not say who it belongs to.");
  return principal;
}

/** Ends the session (the server clears its cookie). */
export async function signOut() {
  await request("DELETE", "/api/v1/session");
}

/**
 * @param {unknown} body
 * @returns {Principal | null}
 */
function principalOf(body) {
  const p = body && typeof body === "object" ? /** @type {{ principal?: Principal }} */ (body).principal : undefined;
  if (!p || typeof p.name !== "string" || !(p.role in RANK)) return null;
  return { name: p.name, role: p.role };
}
