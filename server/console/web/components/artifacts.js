// A cycle's artifacts (reports, manifests, patches, results): listed with their kind and size,
// each opened on demand so that a long cycle does not load every file up front.

import { api } from "../lib/api.js";
import { h, replace } from "../lib/dom.js";
import { formatBytes } from "../lib/format.js";
import { jsonBlock } from "./json-block.js";
import { errorMessage } from "./notices.js";

/** @typedef {import("../types.js").ArtifactRef} ArtifactRef */

/**
 * The list of artifacts; opening one fetches its content.
 * @param {ArtifactRef[]} artifacts
 * @param {AbortSignal} signal
 */
export function artifactList(artifacts, signal) {
  if (artifacts.length === 0) return h("p", { class: "muted" }, "No artifacts yet.");
  return h("ul", { class: "artifacts" }, artifacts.map((a) => artifactItem(a, signal)));
}

/**
 * @param {ArtifactRef} a
 * @param {AbortSignal} signal
 */
function artifactItem(a, signal) {
  const content = h("div", { class: "artifact-content" }, h("p", { class: "muted" }, "Loading…"));
  let loaded = false;
  const details = h(
    "details",
    {},
    h("summary", {}, h("span", { class: "artifact-name" }, a.name), " ", h("span", { class: "muted" }, `${a.kind.replaceAll("_", " ")} · ${formatBytes(a.size)}`)),
    content,
    h("p", { class: "muted small" }, "SHA-256 ", h("code", {}, a.sha256)),
  );
  details.addEventListener("toggle", async () => {
    if (!details.open || loaded) return;
    loaded = true;
    try {
      const row = await api.get(`/api/v1/artifacts/${encodeURIComponent(a.id)}`, signal);
      replace(content, jsonBlock(pretty(row.content, a.mediaType), a.name));
    } catch (error) {
      loaded = false;
      replace(content, errorMessage(error, "Could not open the artifact"));
    }
  });
  return h("li", {}, details);
}

/**
 * JSON artifacts re-indented; other text as it is.
 * @param {string} content
 * @param {string} mediaType
 */
function pretty(content, mediaType) {
  if (!mediaType.includes("json")) return content;
  try {
    return JSON.stringify(JSON.parse(content), null, 2);
  } catch {
    return content;
  }
}
