// Where a page says what went wrong (or right): an assertive live region for errors and a polite
// one for confirmations, so screen readers announce both without moving focus.

import { ApiError, isAbort } from "../lib/api.js";
import { h, replace } from "../lib/dom.js";

/**
 * The readable text of an error: the server's message for a refusal, the error's own otherwise.
 * @param {unknown} error
 */
export function errorText(error) {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * A message element for an error, with the server's code beside it when it sent one.
 * @param {unknown} error
 * @param {string} [context] what was being done ("Approving")
 */
export function errorMessage(error, context) {
  const code = error instanceof ApiError ? error.code : null;
  return h("p", { class: "notice notice-error" }, context ? h("strong", {}, `${context}: `) : null, errorText(error), code ? h("span", { class: "code" }, ` (${code})`) : null);
}

/** Notices of a page or a form. */
export function createNotices() {
  const errors = h("div", { class: "notices", role: "alert", "aria-live": "assertive" });
  const status = h("div", { class: "notices", role: "status", "aria-live": "polite" });
  return {
    el: h("div", {}, errors, status),
    /**
     * Shows an error (an abort, from leaving the page, is not one).
     * @param {unknown} error
     * @param {string} [context]
     */
    error(error, context) {
      if (isAbort(error)) return;
      replace(status);
      replace(errors, errorMessage(error, context));
    },
    /** @param {string} text */
    info(text) {
      replace(errors);
      replace(status, h("p", { class: "notice notice-info" }, text));
    },
    clear() {
      replace(errors);
      replace(status);
    },
  };
}
