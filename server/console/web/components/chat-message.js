// One message of the chat. An answer is built from the stream's events: tokens append to its text
// as they arrive, tool calls show with the policy's decision, actions link to the approval or the
// cycle they created, and an error says what the server refused.

import { h, replace } from "../lib/dom.js";
import { href } from "../lib/router.js";
import { badge } from "./badges.js";
import { jsonBlock } from "./json-block.js";

/**
 * @typedef {{ tool: string, input?: unknown, decision?: string | null, status?: string | null }} ToolEvent
 * @typedef {{ kind: string, id: string, summary?: string }} ActionEvent
 * @typedef {object} ChatMessage
 * @property {"user" | "assistant"} role
 * @property {string} text
 * @property {ToolEvent[]} tools
 * @property {ActionEvent[]} actions
 * @property {{ code: string, message: string } | null} error
 * @property {boolean} [streaming]
 */

/**
 * A new message.
 * @param {"user" | "assistant"} role
 * @param {string} [text]
 * @returns {ChatMessage}
 */
export function newMessage(role, text = "") {
  return { role, text, tools: [], actions: [], error: null };
}

/**
 * Renders a message and returns its element with an `apply` that folds a stream event into both
 * the message and the element.
 * @param {ChatMessage} message
 */
export function messageView(message) {
  const text = h("div", { class: "message-text" }, message.text);
  const tools = h("ul", { class: "message-tools", "aria-label": "Tool calls" });
  const actions = h("ul", { class: "message-actions", "aria-label": "Actions" });
  const error = h("div", { class: "message-error" });
  const who = message.role === "user" ? "You" : "Supervisor";
  const el = h("li", { class: `message message-${message.role}` }, h("span", { class: "message-who" }, who), tools, text, actions, error);
  const draw = () => {
    replace(tools, message.tools.map(toolItem));
    replace(actions, message.actions.map(actionItem));
    replace(error, message.error ? h("p", { class: "notice notice-error" }, message.error.message, h("span", { class: "code" }, ` (${message.error.code})`)) : null);
    el.classList.toggle("streaming", Boolean(message.streaming));
  };
  draw();
  return {
    el,
    /**
     * @param {string} event the SSE event name
     * @param {any} data its JSON data
     */
    apply(event, data) {
      if (event === "token" && typeof data?.text === "string") {
        message.text += data.text;
        text.append(data.text);
        return;
      }
      if (event === "tool" && data && typeof data.tool === "string") mergeTool(message.tools, data);
      else if (event === "action" && data && typeof data.id === "string") message.actions.push({ kind: String(data.kind), id: data.id, summary: data.summary });
      else if (event === "done" && typeof data?.answer === "string" && !message.text.trim()) {
        // A model that answered without streaming tokens: show the whole answer at once.
        message.text = data.answer;
        replace(text, data.answer);
      } else if (event === "error") message.error = { code: String(data?.code ?? "error"), message: String(data?.message ?? data ?? "the chat failed") };
      draw();
    },
    /** Marks the end of the stream. */
    finish() {
      message.streaming = false;
      draw();
    },
  };
}

/**
 * A second event about the same call (its result after its decision) updates the line in place.
 * @param {ToolEvent[]} tools
 * @param {ToolEvent} data
 */
function mergeTool(tools, data) {
  const last = tools[tools.length - 1];
  const same = last && last.tool === data.tool && JSON.stringify(last.input ?? null) === JSON.stringify(data.input ?? null);
  if (last && same) Object.assign(last, Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined && v !== null)));
  else tools.push({ tool: data.tool, input: data.input, decision: data.decision ?? null, status: data.status ?? null });
}

/** @param {ToolEvent} t */
function toolItem(t) {
  return h(
    "li",
    { class: "tool-call" },
    h("code", {}, t.tool),
    t.decision ? badge(t.decision, "Policy decision") : null,
    t.status ? badge(t.status, "Status") : null,
    t.input !== undefined ? h("details", {}, h("summary", {}, "Input"), jsonBlock(t.input, `Input of ${t.tool}`)) : null,
  );
}

/** @param {ActionEvent} a */
function actionItem(a) {
  const target = a.kind === "approval" ? href("approvals", a.id) : a.kind === "cycle" ? href("cycles", a.id) : null;
  const label = a.kind === "approval" ? `Approval ${a.id}` : a.kind === "cycle" ? `Cycle ${a.id}` : `${a.kind} ${a.id}`;
  return h("li", { class: "action" }, target ? h("a", { href: target }, label) : label, a.summary ? ` — ${a.summary}` : null);
}
