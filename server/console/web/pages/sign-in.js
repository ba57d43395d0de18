// Signing in with an API token. The token goes to the server once; the session lives in an
// HttpOnly cookie, so the field is cleared whatever the answer.

import { h, replace } from "../lib/dom.js";
import { signIn } from "../lib/session.js";
import { createNotices } from "../components/notices.js";

/**
 * The sign-in form; `onSignedIn` receives the principal the server named.
 * @param {HTMLElement} root
 * @param {{ onSignedIn: (principal: import("../types.js").Principal) => void, message?: string }} options
 */
export function mountSignIn(root, options) {
  const notices = createNotices();
  const token = h("input", { id: "token", name: "token", type: "password", autocomplete: "off", spellcheck: "false", required: true, "aria-describedby": "token-hint" });
  const button = h("button", { type: "submit", class: "primary" }, "Sign in");
  /** @param {SubmitEvent} event */
  const submit = async (event) => {
    event.preventDefault();
    const value = token.value.trim();
    if (!value) {
      notices.error(new Error("Paste an API token first."));
      token.focus();
      return;
    }
    button.disabled = true;
    notices.info("Signing in…");
    try {
      const principal = await signIn(value);
      token.value = "";
      notices.clear();
      options.onSignedIn(principal);
    } catch (error) {
      token.value = "";
      notices.error(error, "Not signed in");
      token.focus();
    } finally {
      button.disabled = false;
    }
  };
  replace(
    root,
    h(
      "section",
      { class: "sign-in card" },
      h("h1", { tabindex: -1 }, "Sign in"),
      options.message ? h("p", { class: "notice notice-info" }, options.message) : null,
      h(
        "form",
        { onsubmit: submit },
        h("label", { for: "token" }, "API token"),
        token,
        h("p", { id: "token-hint", class: "hint" }, "Create one with ", h("code", {}, "npx autopilot token create --role operator"), ". It is sent once; the console then keeps a session cookie."),
        h("div", { class: "actions" }, button),
      ),
      notices.el,
    ),
  );
}
