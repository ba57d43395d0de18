// The console's entry: finds out who is signed in, draws the navigation their role allows, and
// mounts the page of the current hash. Each page gets an AbortSignal that fires when it is left,
// which ends its requests, streams and timers.

import { onUnauthenticated } from "./lib/api.js";
import { h, replace } from "./lib/dom.js";
import { HOME, isRouteHash, parseRoute } from "./lib/router.js";
import { currentPrincipal, hasRole, signOut } from "./lib/session.js";
import { errorMessage } from "./components/notices.js";
import { mountAdmin } from "./pages/admin.js";
import { mountApprovals } from "./pages/approvals.js";
import { forgetConversation, mountChat } from "./pages/chat.js";
import { mountCycle } from "./pages/cycle.js";
import { mountCycles } from "./pages/cycles.js";
import { mountHealth } from "./pages/health.js";
import { mountSignIn } from "./pages/sign-in.js";

/** @typedef {import("./types.js").Principal} Principal */
/** @typedef {import("./types.js").Role} Role */

/** @type {{ hash: string, label: string, role: Role, pages: string[] }[]} */
const NAV = [
  { hash: "#/chat", label: "Chat", role: "operator", pages: ["chat"] },
  { hash: "#/cycles", label: "Cycles", role: "viewer", pages: ["cycles", "cycle"] },
  { hash: "#/approvals", label: "Approvals", role: "viewer", pages: ["approvals", "approval"] },
  { hash: "#/health", label: "Health", role: "viewer", pages: ["health"] },
  { hash: "#/admin", label: "Admin", role: "admin", pages: ["admin"] },
];

/** @type {Record<string, (ctx: import("./types.js").PageContext) => void>} */
const PAGES = {
  chat: mountChat,
  cycles: mountCycles,
  cycle: mountCycle,
  approvals: mountApprovals,
  approval: mountApprovals,
  health: mountHealth,
  admin: mountAdmin,
};

const main = /** @type {HTMLElement} */ (document.getElementById("main"));
const nav = /** @type {HTMLElement} */ (document.getElementById("nav"));
const who = /** @type {HTMLElement} */ (document.getElementById("who"));

/** @type {Principal | null} */
let principal = null;
/** @type {AbortController | null} */
let page = null;
/** Where to go after signing in (the page that asked for it). */
let afterSignIn = HOME;

function leavePage() {
  page?.abort();
  page = null;
}

function drawHeader() {
  nav.hidden = principal === null;
  const route = parseRoute(location.hash);
  replace(
    nav,
    h(
      "ul",
      {},
      NAV.filter((n) => hasRole(principal, n.role)).map((n) => h("li", {}, h("a", { href: n.hash, "aria-current": route && n.pages.includes(route.name) ? "page" : null }, n.label))),
    ),
  );
  replace(
    who,
    principal
      ? [
          h("span", { class: "principal" }, h("span", { class: "principal-name" }, principal.name), " ", h("span", { class: `role role-${principal.role}`, "data-role": principal.role }, principal.role)),
          h("button", { type: "button", class: "sign-out", onclick: () => void doSignOut() }, "Sign out"),
        ]
      : [],
  );
}

/** @param {string} [message] */
function showSignIn(message) {
  leavePage();
  principal = null;
  drawHeader();
  document.title = "Sign in · Autopilot console";
  mountSignIn(main, {
    message,
    onSignedIn: (p) => {
      principal = p;
      const target = afterSignIn;
      afterSignIn = HOME;
      if (location.hash === target) route();
      else location.hash = target;
    },
  });
  main.querySelector("input")?.focus();
}

async function doSignOut() {
  try {
    await signOut();
  } catch {
    // The cookie may already be gone; the page forgets the session either way.
  }
  forgetConversation();
  afterSignIn = HOME;
  showSignIn("You are signed out.");
}

function route() {
  if (!isRouteHash(location.hash)) return;
  const current = parseRoute(location.hash);
  if (!principal) {
    if (current && current.name !== "sign-in") afterSignIn = location.hash;
    return showSignIn();
  }
  if (!current || current.name === "sign-in") {
    location.replace(HOME);
    return;
  }
  leavePage();
  page = new AbortController();
  drawHeader();
  const entry = NAV.find((n) => n.pages.includes(current.name));
  document.title = `${entry?.label ?? "Console"} · Autopilot console`;
  const mount = /** @type {(ctx: import("./types.js").PageContext) => void} */ (PAGES[current.name]);
  mount({ root: main, params: current.params, principal, signal: page.signal, navigate: (hash) => (location.hash = hash) });
  // Move focus to the new page's heading, so keyboard and screen reader users start there.
  /** @type {HTMLElement | null} */ (main.querySelector("h1"))?.focus({ preventScroll: false });
}

async function boot() {
  onUnauthenticated(() => {
    if (principal === null) return;
    afterSignIn = location.hash || HOME;
    showSignIn("Your session has ended; sign in again.");
  });
  window.addEventListener("hashchange", route);
  try {
    principal = await currentPrincipal();
  } catch (error) {
    replace(main, h("h1", { tabindex: -1 }, "The console could not start"), errorMessage(error, "Reading the session"));
    return;
  }
  route();
}

void boot();
