// Structured values shown as indented JSON, in a block that scrolls on its own on a narrow screen.

import { h } from "../lib/dom.js";

/**
 * A `<pre>` with `value` as indented JSON.
 * @param {unknown} value
 * @param {string} [label] an accessible name for the block
 */
export function jsonBlock(value, label) {
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2) ?? "null";
  return h("pre", { class: "json", tabindex: 0, "aria-label": label }, h("code", {}, text));
}
