// Says how fresh a page is: live (a stream), polling (every few seconds) or connecting.

import { h, replace } from "../lib/dom.js";

const WORDS = {
  connecting: "Connecting…",
  live: "Live",
  polling: "Polling",
};

/**
 * A small status element and the setter `follow` calls.
 * @param {number} pollMs
 */
export function liveIndicator(pollMs) {
  const el = h("span", { class: "live-indicator", role: "status", "data-mode": "connecting" }, WORDS.connecting);
  return {
    el,
    /** @param {import("../lib/live.js").LiveMode} mode */
    set(mode) {
      el.dataset.mode = mode;
      replace(el, mode === "polling" ? `${WORDS.polling} every ${Math.round(pollMs / 1000)} s` : WORDS[mode]);
    },
    /** Shows that nothing more will change (a finished cycle). */
    settled() {
      el.dataset.mode = "settled";
      replace(el, "Finished");
    },
  };
}
