// DOM building without HTML strings: every text goes in as a text node, so nothing the server
// returns can become markup (the page's CSP also refuses string sinks such as innerHTML).

/**
 * @typedef {string | number | Node | null | undefined | false} Child
 * @typedef {(event: never) => unknown} Listener a handler of any event type (`onclick`, `onsubmit`, ...)
 * @typedef {Record<string, string | number | boolean | null | undefined | Listener>} Attrs
 */

/**
 * Creates an HTML element: `on*` attributes become listeners, `true` a bare attribute, `false`,
 * null and undefined are left out; children may be nested arrays.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttributes(el, attrs);
  append(el, children);
  return el;
}

/**
 * Creates an SVG element with its attributes.
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number | null | undefined>} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {SVGElementTagNameMap[K]}
 */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  setAttributes(el, attrs);
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {Attrs} attrs
 */
function setAttributes(el, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.slice(2).toLowerCase(), /** @type {EventListener} */ (/** @type {unknown} */ (value)));
    else el.setAttribute(name, value === true ? "" : String(value));
  }
}

/**
 * Appends children (strings become text nodes; empty values are skipped).
 * @param {Element} parent
 * @param {Array<Child | Child[]>} children
 */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === "number" ? String(child) : child);
  }
}

/**
 * Replaces an element's children.
 * @param {Element} parent
 * @param {...(Child | Child[])} children
 */
export function replace(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}
